/*
 * The citation picker beside a review's body (reviews/admin_citations.py).
 *
 * It lists the tracks and cues of what the form covers as it stands (the film, other films
 * and albums chosen in their autocompletes, saved or not), reloading whenever one changes,
 * and inserts a citation's Markdown where the cursor is in the body. Everything it shows is
 * made with textContent: a track's title is never read as HTML.
 */
"use strict";
{
    const FILTER_FROM = 8;  // Entries; fewer fit the eye without one.
    const SOURCES = [
        ["film", "id_film"],
        ["other_film", "id_other_films"],
        ["soundtrack", "id_soundtracks"],
    ];

    function setUp(panel, body) {
        const url = panel.dataset.url;
        const groups = panel.querySelector(".citation-picker-groups");
        const status = panel.querySelector(".citation-picker-status");
        const filterRow = panel.querySelector(".citation-picker-filter");
        const filter = filterRow.querySelector("input");
        let loaded = 0;  // Requests made; only the latest one's answer is shown.
        let controller = null;
        let bodyTouched = false;  // Before the writer has been in the body, insert at its end.

        // Beside the body: its own form row lays the two out side by side where there is room.
        const row = body.closest(".form-row") || body.parentElement;
        row.classList.add("has-citation-picker");
        row.append(panel);
        panel.hidden = false;

        for (const event of ["focus", "select", "keyup", "mouseup"]) {
            body.addEventListener(event, () => { bodyTouched = true; });
        }

        function query() {
            const params = new URLSearchParams();
            for (const [name, id] of SOURCES) {
                const select = document.getElementById(id);
                if (!select) continue;
                for (const option of select.selectedOptions) {
                    if (option.value) params.append(name, option.value);
                }
            }
            return params;
        }

        function say(text) {
            status.textContent = text;
        }

        async function load() {
            const mine = ++loaded;
            if (controller) controller.abort();
            controller = new AbortController();
            const params = query();
            if (!params.toString()) {
                show([]);
                return;
            }
            say("Loading the tracks and cues…");
            let answer;
            try {
                const response = await fetch(`${url}?${params}`, {
                    credentials: "same-origin",
                    headers: {Accept: "application/json"},
                    signal: controller.signal,
                });
                if (!response.ok) throw new Error(`the server answered ${response.status}`);
                answer = await response.json();
            } catch (error) {
                if (error.name === "AbortError" || mine !== loaded) return;
                groups.replaceChildren();
                filterRow.hidden = true;
                say(`The tracks and cues could not be loaded (${error.message}). `
                    + "Save the review and try again, or type the links as the help text says.");
                return;
            }
            if (mine === loaded) show(answer.groups);
        }

        function entry(item) {
            const li = document.createElement("li");
            li.dataset.search = fold(`${item.label} ${item.reference}`);
            const label = document.createElement("span");
            label.className = "citation-picker-label";
            label.textContent = item.label;
            const button = document.createElement("button");
            button.type = "button";
            button.className = "button citation-picker-insert";
            button.textContent = "Insert";
            const which = document.createElement("span");
            which.className = "visually-hidden";
            which.textContent = ` “${item.title}”`;
            button.append(which);
            button.title = item.reference;
            button.addEventListener("click", () => insert(item));
            li.append(label, " ", button);
            return li;
        }

        function show(list) {
            const sections = list.map((group) => {
                const section = document.createElement("section");
                section.className = `citation-picker-group citation-picker-${group.kind}`;
                const heading = document.createElement("h3");
                heading.textContent = group.heading;
                section.append(heading);
                if (group.items.length) {
                    const ol = document.createElement("ol");
                    ol.append(...group.items.map(entry));
                    section.append(ol);
                } else {
                    const p = document.createElement("p");
                    p.className = "help";
                    p.textContent = group.empty;
                    section.append(p);
                }
                return section;
            });
            groups.replaceChildren(...sections);
            const count = list.reduce((sum, group) => sum + group.items.length, 0);
            filterRow.hidden = count < FILTER_FROM;
            if (!list.length) {
                say("Choose the film or the albums the review covers (under “What it covers”), "
                    + "and their tracks and cues appear here.");
            } else {
                applyFilter();
            }
        }

        function fold(text) {
            return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
        }

        function applyFilter() {
            const words = fold(filter.value).split(/\s+/).filter(Boolean);
            let shown = 0;
            let total = 0;
            for (const section of groups.querySelectorAll(".citation-picker-group")) {
                const items = section.querySelectorAll("li");
                let visible = 0;
                for (const li of items) {
                    const match = words.every((word) => li.dataset.search.includes(word));
                    li.hidden = !match;
                    visible += match;
                }
                // An album without tracks says so, unless a filter is looking for something.
                section.hidden = items.length ? !visible : words.length > 0;
                shown += visible;
                total += items.length;
            }
            if (words.length) {
                say(`${shown} of ${total} match.`);
            } else if (total) {
                say(total === 1 ? "1 track or cue to cite." : `${total} tracks and cues to cite.`);
            } else {
                say("Nothing to cite yet.");
            }
        }

        function insert(item) {
            let start = body.value.length;
            let end = start;
            if (bodyTouched) {
                start = body.selectionStart;
                end = body.selectionEnd;
            }
            const selected = body.value.slice(start, end);
            // Words selected in the body become the link's text, when they can be.
            let text = item.citation;
            if (selected.trim() && !/[\[\]\n]/.test(selected)) {
                text = `[${selected}](${item.reference})`;
            } else if (!bodyTouched && start && !/\s$/.test(body.value)) {
                text = ` ${text}`;
            }
            body.focus();
            body.setRangeText(text, start, end, "end");
            // As typing would: anything listening for edits (autosave, the length count) hears it.
            body.dispatchEvent(new Event("input", {bubbles: true}));
            bodyTouched = true;
            say(`Inserted “${item.title}” in the body.`);
        }

        filter.addEventListener("input", applyFilter);
        filter.addEventListener("keydown", (event) => {
            // The filter sits inside the review's form: Enter must not save the review.
            if (event.key === "Enter") event.preventDefault();
        });

        for (const [, id] of SOURCES) {
            const select = document.getElementById(id);
            if (!select) continue;
            // The admin's autocompletes (select2) announce a change to jQuery's handlers only;
            // jQuery's handlers hear the browser's own change events too.
            if (window.django && window.django.jQuery) {
                window.django.jQuery(select).on("change", load);
            } else {
                select.addEventListener("change", load);
            }
        }
        load();
    }

    document.addEventListener("DOMContentLoaded", () => {
        const panel = document.getElementById("citation-picker");
        const body = document.getElementById("id_body");
        // No body to write in (a review this user may only view): nothing to insert into.
        if (panel && body && body.tagName === "TEXTAREA") setUp(panel, body);
    });
}
