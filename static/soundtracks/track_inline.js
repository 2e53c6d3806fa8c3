/* A new row of the album's tracks inline ("Add another Track") is given the disc of the row
   above it and the next free position on that disc: the highest position there, plus one.
   Changing the new row's disc moves it to the next position on that disc, until the editor
   types a position of their own. Served as a static file: the admin's CSP allows no inline
   script. */
"use strict";
{
    const FILLED = "nextPositionFilled";

    function field(row, name) {
        return row.querySelector(`input[name$="-${name}"]`);
    }

    function number(input) {
        const value = Number.parseInt(input ? input.value : "", 10);
        return Number.isInteger(value) && value > 0 ? value : null;
    }

    /** The formset's other rows that hold a track: saved ones and rows added before. */
    function otherRows(row) {
        const body = row.parentElement;
        return Array.from(body.querySelectorAll("tr.form-row")).filter(
            (other) => other !== row && !other.classList.contains("empty-form")
        );
    }

    function nextPosition(row, disc) {
        let highest = 0;
        for (const other of otherRows(row)) {
            const position = number(field(other, "position"));
            if (position !== null && (number(field(other, "disc")) ?? 1) === disc) {
                highest = Math.max(highest, position);
            }
        }
        return highest + 1;
    }

    function fill(row) {
        const position = field(row, "position");
        const disc = number(field(row, "disc")) ?? 1;
        position.value = String(nextPosition(row, disc));
        position.dataset[FILLED] = position.value;
    }

    document.addEventListener("formset:added", (event) => {
        const row = event.target;
        const disc = field(row, "disc");
        const position = field(row, "position");
        if (!disc || !position) {
            return;
        }
        let previous = row.previousElementSibling;
        while (previous && !previous.classList.contains("form-row")) {
            previous = previous.previousElementSibling;
        }
        const previousDisc = previous ? number(field(previous, "disc")) : null;
        if (previousDisc !== null) {
            disc.value = String(previousDisc);
        }
        fill(row);
        disc.addEventListener("input", () => {
            // Only a position this script filled in follows the disc; a typed one stays.
            if (position.value === position.dataset[FILLED]) {
                fill(row);
            }
        });
    });
}
