vcl 4.1;

# Cuesheet's front cache: Varnish in front of one or more gunicorn app servers (`make serve`,
# config/serve.py; docs/front-cache.md).
#
# - Anonymous GETs and HEADs of public pages are cached for as long as the app says
#   (Cache-Control: s-maxage, else max-age); a response that does not say is not cached.
# - Logged-in users (the session cookie) and /admin/ are passed to the app, cookies and all.
#   Every other request has its cookies removed: no public page reads one.
# - A response that sets a cookie, or says private, no-store, no-cache or s-maxage=0, is never
#   cached. Nor is any error: a 5xx never replaces a good page.
# - Pages are named by their surrogate keys (the app's `xkey` header, indexed by vmod xkey and
#   removed before delivery). `PURGE /` with `xkey-purge: <keys>` from the ACL below drops every
#   page holding one of the keys (pagecache.frontcache): what a withdrawal, a delete or a move
#   sends. `xkey-softpurge` marks them stale instead, which an edit sends: the next reader is
#   served the stale page at once while it is fetched again in the background (the grace
#   below), so that editing costs readers no miss.
# - Grace: an expired page is served for up to an hour while the app is sick (the /healthz
#   probe fails) or answers an error, and for 10 s while it refreshes the page in the
#   background otherwise.
# - Text is stored gzipped and sent gzipped to clients that accept it (gunzipped for the others).
# - X-Cache says HIT, STALE (a hit past its TTL, served within grace while it is fetched
#   again), MISS or PASS, for debugging and the benchmark (bench/frontcache.py).
#
# The app servers are declared in cuesheet-backends.vcl, which config/serve.py renders from
# APP_SERVERS into Varnish's working directory (found through vcl_path): one `backend` per
# gunicorn, each probed on /healthz (probe `healthz`, with the site's Host: the app answers no
# other), added to the round-robin director `app`.

import directors;
import std;
import xkey;

# Who may purge: this machine only. App servers on other hosts need their addresses here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new app = directors.round_robin();
}

include "cuesheet-backends.vcl";

sub vcl_recv {
    set req.backend_hint = app.backend();

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Method Not Allowed"));
        }
        if (req.http.xkey-purge) {
            set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        } elif (req.http.xkey-softpurge) {
            set req.http.x-purged = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "Bad Request"));
        }
        return (synth(200, "OK"));
    }
    if (req.method !~ "^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$") {
        return (synth(405, "Method Not Allowed"));
    }

    # A restart after the app answered an error (vcl_deliver): any stale copy will do.
    if (req.restarts > 0) {
        set req.grace = 1h;
    } elif (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin(/|$)") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        # Logged in (settings.SESSION_COOKIE_NAME): staff see drafts, previews and their own
        # pages, never a cached one, and what they are served is never stored.
        return (pass);
    }
    unset req.http.Cookie;
    if (req.http.Authorization) {
        return (pass);
    }
    return (hash);
}

sub vcl_hash {
    # The URL only: every absolute URL a page holds comes from SITE_URL, not from the Host.
    hash_data(req.url);
    return (lookup);
}

sub vcl_backend_response {
    # A background refresh that failed keeps the stale page rather than storing the error.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }

    if (beresp.http.Content-Type ~ "^(text/|application/(json|xml|javascript|rss\+xml|atom\+xml|ld\+json|manifest\+json)|image/svg\+xml)") {
        set beresp.do_gzip = true;
    }

    if (beresp.status >= 500
        || beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(^|[,\s])(private|no-store|no-cache)"
        || beresp.http.Cache-Control ~ "(^|[,\s])s-maxage\s*=\s*0*([,\s]|$)"
        || beresp.http.Cache-Control !~ "(^|[,\s])(s-maxage|max-age)\s*="
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        # Not stored; the next request for it goes to the app at once (hit-for-miss).
        set beresp.ttl = 10s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }

    # beresp.ttl already comes from Cache-Control, s-maxage first (Varnish's own rules).
    set beresp.grace = 1h;
    return (deliver);
}

sub vcl_backend_error {
    set beresp.http.Content-Type = "text/plain; charset=utf-8";
    set beresp.http.Cache-Control = "no-store";
    set beresp.body = "The site is not answering just now. Please try again in a moment." + {"
"};
    return (deliver);
}

sub vcl_deliver {
    # The app failed, and a stale copy may still be within its grace: look once more for it.
    if (resp.status >= 500 && req.restarts == 0 && (req.method == "GET" || req.method == "HEAD")
        && !req.http.Cookie && req.url !~ "^/admin(/|$)") {
        return (restart);
    }
    unset resp.http.xkey;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elif (obj.hits > 0 && obj.ttl <= 0s) {
        set resp.http.X-Cache = "STALE";
    } elif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    unset resp.http.Retry-After;
    if (req.method == "PURGE" && resp.status == 200) {
        set resp.body = "purged " + req.http.x-purged + {"
"};
    } else {
        set resp.body = "" + resp.status + " " + resp.reason + {"
"};
    }
    return (deliver);
}
