#!/usr/bin/env python3
"""Loopback fake forge for rendergate tests: GitLab REST v4 and Gitea REST v1.

Implements the endpoints rendergate uses, with the JSON shapes, status
codes, pagination headers and auth checks that ../shared/reference/forge.md
documents (GitLab: section 2, Gitea: section 4 and api/gitea-forgejo-v1-
subset.json). Python standard library only. Binds 127.0.0.1 on a free port.

  server.py --port-file F [--token T] [--seed FILE] [--log FILE]
            [--tls-cert PEM --tls-key PEM]   (serve https instead of http)

Control endpoints (no auth; tests use them):
  POST /_ctl/seed      {"gitlab": {"group/app": {...}}, "gitea": {"o/r": {...}}}
  POST /_ctl/reset     forget everything (data, faults, requests, options)
  POST /_ctl/options   {"link": false, "next_page": false}: leave out the
       Link header / GitLab's X-Next-Page (clients must fall back to totals)
  POST /_ctl/faults    [{"path": regex, "method": "GET", "kind": k, "times": n, ...}]
       kinds: "429" (with "retry_after": "2" | "date:+2" | absent), "500",
       "502", "503", "slow" ("delay" seconds, then normal), "drop" (close
       without a response), "big" ("size" bytes of JSON), "badlink" (an
       empty page whose Link rel=next names another host), "longheader"
       (an empty page with header "header": "size" x's and "suffix")
  GET  /_ctl/requests  every API request seen: method, path, query, auth, body
  GET  /_ctl/state     notes/comments and statuses as stored, and uploads
       (GitLab project uploads; Gitea assets are in their comments)
  POST /_ctl/options   also {"gitea_attachment_types": [".zip", ...]}: what
       Gitea's [attachment] ALLOWED_TYPES allows (default: its documented
       default list, which has no .html)

Uploaded files are served back without auth, as a browser would fetch them
(GitLab: GET /<project path>/uploads/<secret>/<name> and the upload's
full_path; Gitea: GET /attachments/<uuid>).
  POST /_ctl/shutdown

Seed shapes:
  gitlab project: {"id": 42, "mrs": [{"iid", "source_branch", "target_branch",
    "sha", "state", "merge_commit_sha", "squash_commit_sha", "author"}], "approvals":
    {"<iid>": ["alice"]}, "approvals_api": true, "notes": {"<iid>": [{"body",
    "author", "system"}]}, "commit_mrs": {"<sha>": [iid, ...]}}
  gitea repo: {"id": 7, "pulls": [{"number", "head", "base", "head_sha",
    "state", "merged", "merge_commit_sha", "fork", "user"}], "reviews": {"<n>":
    [{"user", "state", "stale", "dismissed", "official", "commit_id"}]},
    "comments": {"<n>": [{"body", "user"}]}}
"""
import argparse
import email.utils
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GITLAB_NOTE_MAX = 1000000
# Gitea's [attachment] ALLOWED_TYPES default (modules/setting/attachment.go)
GITEA_ATTACHMENT_TYPES = [".avif", ".cpuprofile", ".csv", ".dmp", ".docx", ".fodg", ".fodp", ".fods",
                          ".fodt", ".gif", ".gz", ".jpeg", ".jpg", ".json", ".jsonc", ".log", ".md",
                          ".mov", ".mp4", ".odf", ".odg", ".odp", ".ods", ".odt", ".patch", ".pdf",
                          ".png", ".pptx", ".svg", ".tgz", ".txt", ".webm", ".webp", ".xls", ".xlsx",
                          ".zip"]
GITEA_TEXT_MAX = 65535
BOT = "rendergate-bot"


class State:
    def __init__(self, token):
        self.lock = threading.Lock()
        self.token = token
        self.reset()

    def reset(self):
        self.gitlab = {}
        self.gitea = {}
        self.faults = []
        self.requests = []
        self.statuses = []
        self.options = {"link": True, "next_page": True,
                        "gitea_attachment_types": list(GITEA_ATTACHMENT_TYPES)}
        self.files = {}  # served path -> (content type, bytes)
        self.groups = {}  # GitLab group path / Gitea "org/team" -> usernames
        self.next_id = 1000

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def seed(self, data):
        for path, p in (data.get("gitlab") or {}).items():
            proj = {
                "id": p.get("id", 1),
                "path": path,
                "mrs": p.get("mrs", []),
                "approvals": p.get("approvals", {}),
                "approvals_api": p.get("approvals_api", True),
                "commit_mrs": p.get("commit_mrs", {}),
                "notes": {},
                "uploads": [],
            }
            for iid, notes in (p.get("notes") or {}).items():
                proj["notes"][str(iid)] = [self.gl_note(n.get("body", ""), n.get("author", "alice"),
                                                        n.get("system", False), iid)
                                           for n in notes]
            self.gitlab[path] = proj
        for path, r in (data.get("gitea") or {}).items():
            repo = {
                "id": r.get("id", 1),
                "path": path,
                "pulls": r.get("pulls", []),
                "reviews": r.get("reviews", {}),
                "comments": {},
            }
            for n, cs in (r.get("comments") or {}).items():
                repo["comments"][str(n)] = [self.gt_comment(c.get("body", ""), c.get("user", "alice"))
                                            for c in cs]
            self.gitea[path] = repo
        self.groups.update(data.get("groups") or {})

    def gl_note(self, body, author, system, iid):
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        return {"id": self.new_id(), "type": None, "body": body,
                "author": {"id": 7, "username": author, "name": author},
                "created_at": now, "updated_at": now, "system": bool(system),
                "noteable_type": "MergeRequest", "noteable_iid": int(iid),
                "resolvable": False, "internal": False}

    def gt_comment(self, body, user):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        cid = self.new_id()
        return {"id": cid, "body": body, "user": {"id": 7, "login": user},
                "created_at": now, "updated_at": now,
                "html_url": "http://127.0.0.1/c/%d" % cid, "assets": []}


STATE = None


def http_date(delta):
    return email.utils.formatdate(time.time() + delta, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeforge/1"

    def log_message(self, fmt, *args):
        if self.server.logfile:
            self.server.logfile.write("%s\n" % (fmt % args))
            self.server.logfile.flush()

    # --- plumbing -------------------------------------------------------

    def send_json(self, code, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        ctype = self.headers.get("Content-Type") or ""
        self.parts = {}
        if not raw:
            return {}, raw
        if ctype.startswith("multipart/form-data"):
            return self.read_multipart(raw, ctype), raw
        if "json" in ctype:
            try:
                return json.loads(raw.decode()), raw
            except ValueError:
                return None, raw
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}, raw

    def read_multipart(self, raw, ctype):
        """The parts of a multipart/form-data body into self.parts (name ->
        {"filename", "content_type", "data"}); returns a summary for the
        request log, or None when the body is malformed."""
        m = re.search(r'boundary="?([^";]+)"?', ctype)
        if not m:
            return None
        sep = b"--" + m.group(1).encode()
        chunks = raw.split(sep)
        if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
            return None
        for chunk in chunks[1:-1]:
            if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
                return None
            head, _, data = chunk[2:-2].partition(b"\r\n\r\n")
            hdrs = {}
            for line in head.decode("utf-8", "replace").split("\r\n"):
                k, _, v = line.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            disp = hdrs.get("content-disposition", "")
            name = re.search(r'\bname="([^"]*)"', disp)
            fname = re.search(r'\bfilename="([^"]*)"', disp)
            if not disp.startswith("form-data") or not name:
                return None
            self.parts[name.group(1)] = {"filename": fname.group(1) if fname else None,
                                         "content_type": hdrs.get("content-type"), "data": data}
        return {"multipart": {k: {"filename": v["filename"], "content_type": v["content_type"],
                                  "size": len(v["data"])} for k, v in self.parts.items()}}

    def serve_file(self, path):
        with STATE.lock:
            f = STATE.files.get(path)
        if f is None:
            return self.send_json(404, {"message": "404 Not Found"})
        self.send_response(200)
        self.send_header("Content-Type", f[0])
        self.send_header("Content-Length", str(len(f[1])))
        self.end_headers()
        self.wfile.write(f[1])
        return None

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        body, raw = self.read_body()
        if url.path.startswith("/_ctl/"):
            return self.control(method, url.path, body)
        if method == "GET" and not url.path.startswith("/api/"):
            return self.serve_file(url.path)
        auth = self.auth_state(url.path)
        with STATE.lock:
            STATE.requests.append({"method": method, "path": url.path, "query": query,
                                   "auth": auth, "body": body if body is not None else raw.decode("utf-8", "replace"),
                                   "headers": {k: v for k, v in self.headers.items()
                                               if k.lower() not in ("private-token", "authorization")},
                                   "time": time.time()})
            fault = self.take_fault(method, url.path)
        if fault and self.apply_fault(fault):
            return
        if auth != "ok":
            if url.path.startswith("/api/v4/"):
                return self.send_json(401, {"message": "401 Unauthorized"})
            return self.send_json(401, {"message": "token is required", "url": "http://127.0.0.1/api/swagger"})
        if body is None:
            return self.send_json(400, {"message": "invalid JSON body"})
        try:
            if url.path.startswith("/api/v4/"):
                return self.gitlab(method, url.path[len("/api/v4"):], query, body)
            if url.path.startswith("/api/v1/"):
                return self.gitea(method, url.path[len("/api/v1"):], query, body)
        except BrokenPipeError:
            return
        return self.send_json(404, {"message": "404 Not Found"})

    def auth_state(self, path):
        if path.startswith("/api/v4/"):
            tok = self.headers.get("PRIVATE-TOKEN")
            if tok is None:
                a = self.headers.get("Authorization") or ""
                if a.lower().startswith("bearer "):
                    tok = a[7:]
        else:
            a = self.headers.get("Authorization") or ""
            tok = a[6:] if a.lower().startswith("token ") else None
        if tok is None:
            return "missing"
        return "ok" if tok == STATE.token else "bad"

    def take_fault(self, method, path):
        for f in STATE.faults:
            if f.get("times", 1) <= 0:
                continue
            if f.get("method") and f["method"] != method:
                continue
            if not re.search(f.get("path", ""), path):
                continue
            f["times"] = f.get("times", 1) - 1
            return dict(f)
        return None

    def apply_fault(self, f):
        kind = str(f.get("kind"))
        if kind == "429":
            hdrs = {}
            ra = f.get("retry_after")
            if ra is not None:
                ra = str(ra)
                hdrs["Retry-After"] = http_date(int(ra[6:])) if ra.startswith("date:+") else ra
            self.send_json(429, {"message": "429 Too Many Requests"}, hdrs)
            return True
        if kind in ("500", "502", "503"):
            hdrs = {"Retry-After": str(f["retry_after"])} if f.get("retry_after") is not None else {}
            self.send_json(int(kind), {"message": "%s Internal Server Error" % kind}, hdrs)
            return True
        if kind == "badlink":
            # a page whose next link points at another host
            self.send_json(200, [], {"Link": '<https://evil.example/api/v1/steal?page=2>; rel="next"'})
            return True
        if kind == "longheader":
            self.send_json(200, [], {f.get("header", "Link"):
                                     "x" * int(f.get("size", 9000)) + f.get("suffix", "")})
            return True
        if kind == "slow":
            time.sleep(min(float(f.get("delay", 2)), 30))
            return False
        if kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if kind == "big":
            size = int(f.get("size", 16 * 1024 * 1024))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(size + 2))
            self.end_headers()
            try:
                self.wfile.write(b'"')
                chunk = b"x" * 65536
                left = size
                while left > 0:
                    self.wfile.write(chunk[:min(left, len(chunk))])
                    left -= min(left, len(chunk))
                self.wfile.write(b'"')
            except (BrokenPipeError, ConnectionResetError):
                pass
            return True
        return False

    def control(self, method, path, body):
        with STATE.lock:
            if path == "/_ctl/seed":
                STATE.seed(body or {})
                return self.send_json(200, {"ok": True})
            if path == "/_ctl/reset":
                STATE.reset()
                return self.send_json(200, {"ok": True})
            if path == "/_ctl/faults":
                STATE.faults.extend(body if isinstance(body, list) else [body])
                return self.send_json(200, {"ok": True})
            if path == "/_ctl/options":
                STATE.options.update(body or {})
                return self.send_json(200, {"ok": True})
            if path == "/_ctl/requests":
                return self.send_json(200, STATE.requests)
            if path == "/_ctl/state":
                return self.send_json(200, {
                    "gitlab": {k: {"notes": v["notes"]} for k, v in STATE.gitlab.items()},
                    "gitea": {k: {"comments": v["comments"]} for k, v in STATE.gitea.items()},
                    "uploads": {k: v["uploads"] for k, v in STATE.gitlab.items()},
                    "statuses": STATE.statuses})
        if path == "/_ctl/shutdown":
            self.send_json(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return None
        return self.send_json(404, {"message": "no such control"})

    # --- pagination -----------------------------------------------------

    def paginate(self, items, query, default, maximum, gitlab):
        try:
            page = max(1, int(query.get("page", 1)))
            per = int(query.get("per_page" if gitlab else "limit", default))
        except ValueError:
            page, per = 1, default
        per = max(1, min(per, maximum))
        total = len(items)
        pages = max(1, (total + per - 1) // per)
        chunk = items[(page - 1) * per: page * per]
        base = "http://%s:%d%s" % (self.server.server_address[0], self.server.server_address[1],
                                   urllib.parse.urlsplit(self.path).path)

        def link(p):
            q = dict(query)
            q["page"] = str(p)
            q["per_page" if gitlab else "limit"] = str(per)
            return "%s?%s" % (base, urllib.parse.urlencode(q))
        links = []
        if page < pages:
            links.append('<%s>; rel="next"' % link(page + 1))
        if page > 1:
            links.append('<%s>; rel="prev"' % link(page - 1))
        links.append('<%s>; rel="first"' % link(1))
        links.append('<%s>; rel="last"' % link(pages))
        hdrs = {"Link": ", ".join(links)} if STATE.options.get("link", True) else {}
        if gitlab:
            hdrs.update({"X-Page": str(page), "X-Per-Page": str(per), "X-Total": str(total),
                         "X-Total-Pages": str(pages),
                         "X-Prev-Page": str(page - 1) if page > 1 else ""})
            if STATE.options.get("next_page", True):
                hdrs["X-Next-Page"] = str(page + 1) if page < pages else ""
        else:
            hdrs["X-Total-Count"] = str(total)
        return chunk, hdrs

    # --- GitLab v4 ------------------------------------------------------

    def gl_project(self, pid):
        pid = urllib.parse.unquote(pid)
        for p in STATE.gitlab.values():
            if p["path"] == pid or str(p["id"]) == pid:
                return p
        return None

    def gl_mr(self, proj, iid):
        for m in proj["mrs"]:
            if str(m["iid"]) == str(iid):
                return m
        return None

    def gl_mr_json(self, proj, m):
        return {"id": 10000 + int(m["iid"]), "iid": int(m["iid"]), "project_id": proj["id"],
                "title": m.get("title", "MR %s" % m["iid"]), "state": m.get("state", "opened"),
                "source_branch": m["source_branch"], "target_branch": m.get("target_branch", "main"),
                "source_project_id": proj["id"], "target_project_id": proj["id"],
                "sha": m.get("sha"), "merge_commit_sha": m.get("merge_commit_sha"),
                "squash_commit_sha": m.get("squash_commit_sha"),
                "author": {"id": 1, "username": m.get("author", "alice")},
                "web_url": "http://127.0.0.1/%s/-/merge_requests/%s" % (proj["path"], m["iid"])}

    def gitlab(self, method, path, query, body):
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "groups" and parts[2:] == ["members", "all"]:
            with STATE.lock:
                users = STATE.groups.get(urllib.parse.unquote(parts[1]))
                if users is None:
                    return self.send_json(404, {"message": "404 Group Not Found"})
                chunk, hdrs = self.paginate([{"id": i + 1, "username": u, "name": u, "state": "active",
                                              "access_level": 30} for i, u in enumerate(users)],
                                            query, 20, 100, True)
                return self.send_json(200, chunk, hdrs)
        if len(parts) < 2 or parts[0] != "projects":
            return self.send_json(404, {"message": "404 Not Found"})
        with STATE.lock:
            proj = self.gl_project(parts[1])
            if proj is None:
                return self.send_json(404, {"message": "404 Project Not Found"})
            rest = parts[2:]
            if rest == ["merge_requests"] and method == "GET":
                mrs = [m for m in proj["mrs"]
                       if (query.get("state", "all") in ("all", m.get("state", "opened")))
                       and ("source_branch" not in query or m["source_branch"] == query["source_branch"])
                       and ("target_branch" not in query or m.get("target_branch", "main") == query["target_branch"])]
                chunk, hdrs = self.paginate([self.gl_mr_json(proj, m) for m in mrs], query, 20, 100, True)
                return self.send_json(200, chunk, hdrs)
            if len(rest) == 4 and rest[:2] == ["repository", "commits"] and rest[3] == "merge_requests":
                iids = proj["commit_mrs"].get(rest[2], [])
                mrs = [self.gl_mr_json(proj, self.gl_mr(proj, i)) for i in iids if self.gl_mr(proj, i)]
                chunk, hdrs = self.paginate(mrs, query, 20, 100, True)
                return self.send_json(200, chunk, hdrs)
            if len(rest) == 2 and rest[0] == "statuses" and method == "POST":
                return self.gl_status(proj, rest[1], body)
            if rest == ["uploads"] and method == "POST":
                return self.gl_upload(proj)
            if len(rest) >= 2 and rest[0] == "merge_requests":
                m = self.gl_mr(proj, rest[1])
                if m is None:
                    return self.send_json(404, {"message": "404 Not found"})
                if len(rest) == 2 and method == "GET":
                    return self.send_json(200, self.gl_mr_json(proj, m))
                if rest[2:] == ["approvals"] and method == "GET":
                    if not proj["approvals_api"]:
                        return self.send_json(404, {"message": "404 Not Found"})
                    users = proj["approvals"].get(str(m["iid"]), [])
                    return self.send_json(200, {
                        "id": 10000 + int(m["iid"]), "iid": int(m["iid"]), "project_id": proj["id"],
                        "approved": bool(users), "user_has_approved": False, "user_can_approve": True,
                        "approved_by": [{"user": {"id": i + 1, "username": u, "name": u}}
                                        for i, u in enumerate(users)]})
                if rest[2:] == ["approval_state"] and method == "GET":
                    users = proj["approvals"].get(str(m["iid"]), [])
                    return self.send_json(200, {"approval_rules_overwritten": False, "rules": [{
                        "id": 1, "name": "All Members", "rule_type": "any_approver",
                        "approvals_required": 1, "approved": bool(users),
                        "approved_by": [{"id": i + 1, "username": u, "name": u} for i, u in enumerate(users)]}]})
                if rest[2:3] == ["notes"]:
                    return self.gl_notes(proj, m, method, rest[3:], query, body)
        return self.send_json(404, {"message": "404 Not Found"})

    def gl_notes(self, proj, m, method, rest, query, body):
        notes = proj["notes"].setdefault(str(m["iid"]), [])
        if not rest and method == "GET":
            items = sorted(notes, key=lambda n: n["id"], reverse=query.get("sort", "desc") == "desc")
            chunk, hdrs = self.paginate(items, query, 20, 100, True)
            return self.send_json(200, chunk, hdrs)
        if not rest and method == "POST":
            text = body.get("body") if isinstance(body, dict) else None
            if not text:
                return self.send_json(400, {"message": "400 Bad request - body is missing"})
            if len(text) > GITLAB_NOTE_MAX:
                return self.send_json(400, {"message": {"note": ["is too long (maximum is 1000000 characters)"]}})
            n = STATE.gl_note(text, BOT, False, m["iid"])
            notes.append(n)
            return self.send_json(201, n)
        if len(rest) == 1 and method == "PUT":
            for n in notes:
                if str(n["id"]) == rest[0]:
                    text = body.get("body") if isinstance(body, dict) else None
                    if not text:
                        return self.send_json(400, {"message": "400 Bad request - body is missing"})
                    if len(text) > GITLAB_NOTE_MAX:
                        return self.send_json(400, {"message": {"note": ["is too long (maximum is 1000000 characters)"]}})
                    if n["author"]["username"] != BOT:
                        return self.send_json(403, {"message": "403 Forbidden"})
                    n["body"] = text
                    n["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
                    return self.send_json(200, n)
            return self.send_json(404, {"message": "404 Note Not Found"})
        return self.send_json(405, {"message": "405 Method Not Allowed"})

    def gl_upload(self, proj):
        """POST /projects/:id/uploads (Markdown uploads API): the file in
        the multipart field "file"; 201 with id, alt, url, full_path and
        markdown (full_path as in GitLab 17.1 and later)."""
        part = self.parts.get("file")
        if part is None or part["filename"] is None:
            return self.send_json(400, {"error": "file is missing"})
        name = os.path.basename(part["filename"]) or "file"
        secret = os.urandom(16).hex()
        uid = STATE.new_id()
        url = "/uploads/%s/%s" % (secret, name)
        full = "/-/project/%d/uploads/%s/%s" % (proj["id"], secret, name)
        ctype = part["content_type"] or "application/octet-stream"
        for p in ("/%s%s" % (proj["path"], url), full):
            STATE.files[p] = (ctype, part["data"])
        alt = name.rsplit(".", 1)[0]
        image = ctype.startswith("image/")
        up = {"id": uid, "alt": alt, "url": url, "full_path": full,
              "markdown": "%s[%s](%s)" % ("!" if image else "", alt, url)}
        proj["uploads"].append(dict(up, size=len(part["data"]), content_type=ctype))
        return self.send_json(201, up)

    def gl_status(self, proj, sha, body):
        state = body.get("state") if isinstance(body, dict) else None
        if state not in ("pending", "running", "success", "failed", "canceled", "skipped"):
            return self.send_json(400, {"message": "state does not have a valid value"})
        for k in ("target_url", "description", "ref"):
            if len(str(body.get(k) or "")) > 255:
                return self.send_json(400, {"message": {k: ["is too long (maximum is 255 characters)"]}})
        name = body.get("name") or body.get("context") or "default"
        prev = [x for x in STATE.statuses if x.get("forge") == "gitlab" and x["sha"] == sha
                and x["name"] == name and x.get("project") == proj["path"]]
        if prev and prev[-1]["status"] == state:
            # GitLab's status state machine refuses a transition to the same state
            verb = {"pending": "enqueue", "running": "run", "success": "succeed",
                    "failed": "drop", "canceled": "cancel", "skipped": "skip"}[state]
            return self.send_json(400, {"message": "Cannot transition status via :%s from :%s (Reason(s): Status cannot transition via \"%s\")" % (verb, state, verb)})
        st = {"id": STATE.new_id(), "sha": sha, "ref": body.get("ref"), "status": state,
              "name": name,
              "target_url": body.get("target_url"), "description": body.get("description"),
              "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
              "allow_failure": False, "forge": "gitlab", "project": proj["path"]}
        STATE.statuses.append(st)
        return self.send_json(201, st)

    # --- Gitea v1 -------------------------------------------------------

    def gt_groups(self, parts, query):
        with STATE.lock:
            teams = sorted(k for k in STATE.groups if "/" in k)
            if parts[0] == "teams" and len(parts) == 3 and parts[2] == "members":
                idx = int(parts[1]) - 1 if parts[1].isdigit() else -1
                if not 0 <= idx < len(teams):
                    return self.send_json(404, {"message": "The target couldn't be found."})
                users = STATE.groups[teams[idx]]
            elif parts[0] == "orgs" and len(parts) == 3:
                org = urllib.parse.unquote(parts[1])
                mine = [t for t in teams if t.split("/")[0] == org]
                if not mine:
                    return self.send_json(404, {"message": "The target couldn't be found."})
                if parts[2] == "teams":
                    items = [{"id": teams.index(t) + 1, "name": t.split("/", 1)[1]} for t in mine]
                    chunk, hdrs = self.paginate(items, query, 30, 50, False)
                    return self.send_json(200, chunk, hdrs)
                if parts[2] != "members":
                    return self.send_json(404, {"message": "not found"})
                users = sorted({u for t in mine for u in STATE.groups[t]})
            else:
                return self.send_json(404, {"message": "not found"})
            chunk, hdrs = self.paginate([{"id": i + 1, "login": u} for i, u in enumerate(users)],
                                        query, 30, 50, False)
            return self.send_json(200, chunk, hdrs)

    def gt_pull_json(self, repo, p):
        merged = bool(p.get("merged", False))
        head_repo = repo["id"] + 1000 if p.get("fork") else repo["id"]
        return {"id": 50000 + int(p["number"]), "number": int(p["number"]),
                "title": p.get("title", "PR %s" % p["number"]),
                "state": p.get("state", "closed" if merged else "open"), "merged": merged,
                "merge_commit_sha": p.get("merge_commit_sha"),
                "user": {"id": 1, "login": p.get("user", "alice")},
                "head": {"label": p["head"], "ref": p["head"], "sha": p.get("head_sha"), "repo_id": head_repo},
                "base": {"label": p.get("base", "main"), "ref": p.get("base", "main"),
                         "sha": "0" * 40, "repo_id": repo["id"]},
                "html_url": "http://127.0.0.1/%s/pulls/%s" % (repo["path"], p["number"])}

    def gitea(self, method, path, query, body):
        parts = path.strip("/").split("/")
        if parts[0] in ("orgs", "teams") and method == "GET":
            return self.gt_groups(parts, query)
        if len(parts) < 3 or parts[0] != "repos":
            return self.send_json(404, {"message": "not found"})
        with STATE.lock:
            key = "%s/%s" % (urllib.parse.unquote(parts[1]), urllib.parse.unquote(parts[2]))
            repo = STATE.gitea.get(key)
            if repo is None:
                return self.send_json(404, {"errors": None, "message": "The target couldn't be found.",
                                            "url": "http://127.0.0.1/api/swagger"})
            rest = parts[3:]
            if rest == ["pulls"] and method == "GET":
                st = query.get("state", "open")
                pulls = [self.gt_pull_json(repo, p) for p in repo["pulls"]]
                pulls = [p for p in pulls if st == "all" or p["state"] == st]
                chunk, hdrs = self.paginate(pulls, query, 30, 50, False)
                return self.send_json(200, chunk, hdrs)
            if len(rest) == 2 and rest[0] == "pulls" and method == "GET":
                for p in repo["pulls"]:
                    if str(p["number"]) == rest[1]:
                        return self.send_json(200, self.gt_pull_json(repo, p))
                return self.send_json(404, {"message": "The target couldn't be found."})
            if len(rest) == 3 and rest[0] == "commits" and rest[2] == "pull" and method == "GET":
                for p in repo["pulls"]:
                    if p.get("merge_commit_sha") == rest[1]:
                        return self.send_json(200, self.gt_pull_json(repo, p))
                return self.send_json(404, {"message": "The target couldn't be found."})
            if len(rest) == 3 and rest[0] == "pulls" and rest[2] == "reviews" and method == "GET":
                if not any(str(p["number"]) == rest[1] for p in repo["pulls"]):
                    return self.send_json(404, {"message": "The target couldn't be found."})
                revs = []
                for i, r in enumerate(repo["reviews"].get(rest[1], [])):
                    revs.append({"id": r.get("id", 100 + i), "user": {"id": i + 1, "login": r["user"]},
                                 "state": r.get("state", "APPROVED"), "body": r.get("body", ""),
                                 "commit_id": r.get("commit_id", ""), "stale": bool(r.get("stale", False)),
                                 "official": bool(r.get("official", True)),
                                 "dismissed": bool(r.get("dismissed", False)), "comments_count": 0,
                                 "submitted_at": "2026-01-01T00:00:00Z"})
                chunk, hdrs = self.paginate(revs, query, 30, 50, False)
                return self.send_json(200, chunk, hdrs)
            if len(rest) == 3 and rest[0] == "issues" and rest[2] == "comments":
                cs = repo["comments"].setdefault(rest[1], [])
                if method == "GET":
                    # not paginated in the documented API: all comments at once
                    return self.send_json(200, cs)
                if method == "POST":
                    return self.gt_write_comment(cs, None, body)
            if len(rest) == 4 and rest[:2] == ["issues", "comments"] and rest[3] == "assets":
                return self.gt_assets(repo, rest[2], method, query)
            if len(rest) == 5 and rest[:2] == ["issues", "comments"] and rest[3] == "assets" \
                    and method == "DELETE":
                return self.gt_asset_delete(repo, rest[2], rest[4])
            if len(rest) == 3 and rest[:2] == ["issues", "comments"] and method == "PATCH":
                for cs in repo["comments"].values():
                    for c in cs:
                        if str(c["id"]) == rest[2]:
                            return self.gt_write_comment(cs, c, body)
                return self.send_json(404, {"message": "The target couldn't be found."})
            if len(rest) == 2 and rest[0] == "statuses":
                if method == "POST":
                    return self.gt_status(repo, rest[1], body)
                if method == "GET":
                    sts = [s for s in STATE.statuses if s.get("project") == repo["path"] and s["sha"] == rest[1]]
                    chunk, hdrs = self.paginate(sts, query, 30, 50, False)
                    return self.send_json(200, chunk, hdrs)
        return self.send_json(404, {"message": "not found"})

    def gt_asset_delete(self, repo, cid, aid):
        """DELETE /repos/{owner}/{repo}/issues/comments/{id}/assets/
        {attachment_id}: 204; 403 unless the comment is the token's."""
        c = next((c for cs in repo["comments"].values() for c in cs if str(c["id"]) == cid), None)
        if c is None:
            return self.send_json(404, {"message": "The target couldn't be found."})
        if c["user"]["login"] != BOT:
            return self.send_json(403, {"message": "user should have permission to edit comment"})
        at = next((a for a in c["assets"] if str(a["id"]) == aid), None)
        if at is None:
            return self.send_json(404, {"message": "no such attachment in comment"})
        c["assets"].remove(at)
        STATE.files.pop("/attachments/%s" % at["uuid"], None)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def gt_assets(self, repo, cid, method, query):
        """GET/POST /repos/{owner}/{repo}/issues/comments/{id}/assets:
        list a comment's attachments, or attach the multipart field
        "attachment" (name from ?name= or the file name) as the comment's
        poster: 201 Attachment; 422 for a type [attachment] ALLOWED_TYPES
        does not allow; 403 for someone else's comment."""
        c = next((c for cs in repo["comments"].values() for c in cs if str(c["id"]) == cid), None)
        if c is None:
            return self.send_json(404, {"message": "The target couldn't be found."})
        if method == "GET":
            return self.send_json(200, c["assets"])
        if method != "POST":
            return self.send_json(405, {"message": "method not allowed"})
        if c["user"]["login"] != BOT:
            return self.send_json(403, {"message": "user should have permission to edit comment"})
        part = self.parts.get("attachment")
        if part is None:
            return self.send_json(500, {"message": "http: no such file"})
        name = query.get("name") or part["filename"] or "file"
        ext = os.path.splitext(name)[1].lower()
        allowed = STATE.options.get("gitea_attachment_types", GITEA_ATTACHMENT_TYPES)
        if ext not in allowed and (part["content_type"] or "") not in allowed:
            return self.send_json(422, {"message": "This file extension or type is not allowed to be uploaded. Type \"%s\"" % ext})
        uuid = os.urandom(16).hex()
        STATE.files["/attachments/%s" % uuid] = (part["content_type"] or "application/octet-stream", part["data"])
        at = {"id": STATE.new_id(), "name": name, "size": len(part["data"]), "download_count": 0,
              "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "uuid": uuid,
              "browser_download_url": "http://%s:%d/attachments/%s" % (
                  self.server.server_address[0], self.server.server_address[1], uuid),
              "type": "attachment"}
        c["assets"].append(at)
        return self.send_json(201, at)

    def gt_write_comment(self, cs, c, body):
        text = body.get("body") if isinstance(body, dict) else None
        if not text:
            return self.send_json(422, {"message": "[Body]: Required", "url": "http://127.0.0.1/api/swagger"})
        if len(text.encode()) > GITEA_TEXT_MAX:
            # what Gitea on MySQL TEXT did historically (forge.md 4.4)
            return self.send_json(500, {"message": "Error 1406: Data too long for column 'content'"})
        if c is None:
            c = STATE.gt_comment(text, BOT)
            cs.append(c)
            return self.send_json(201, c)
        if c["user"]["login"] != BOT:
            return self.send_json(403, {"message": "user should be the poster"})
        c["body"] = text
        c["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return self.send_json(200, c)

    def gt_status(self, repo, sha, body):
        state = body.get("state") if isinstance(body, dict) else None
        if state not in ("pending", "success", "error", "failure", "warning"):
            return self.send_json(400, {"message": "invalid state"})
        st = {"id": STATE.new_id(), "sha": sha, "status": state, "context": body.get("context", ""),
              "target_url": body.get("target_url"), "description": body.get("description"),
              "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "creator": {"id": 9, "login": BOT}, "forge": "gitea", "project": repo["path"]}
        STATE.statuses.append(st)
        return self.send_json(201, st)


def main():
    global STATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--token", default="s3cret-test-token")
    ap.add_argument("--seed")
    ap.add_argument("--log")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--max-seconds", type=float, default=600,
                    help="exit after this long even if nobody stops us")
    args = ap.parse_args()
    STATE = State(args.token)
    if args.seed:
        with open(args.seed) as f:
            STATE.seed(json.load(f))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.logfile = open(args.log, "a") if args.log else None
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, args.port_file)
    timer = threading.Timer(args.max_seconds, srv.shutdown)
    timer.daemon = True
    timer.start()
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
