#!/usr/bin/env python3
"""A fake Kubernetes API server for the Node watch client's tests.

Speaks the real wire format of the core/v1 Node API as client-go sees it
(API reference "Efficient detection of changes", "Watch bookmarks",
"Resource versions"; apimachinery pkg/watch/json and metav1.Status):

  GET /api/v1/nodes                      NodeList, paged with limit/continue
  GET /api/v1/nodes/<name>               Node, or a 404 Status
  GET /api/v1/nodes?watch=1&resourceVersion=RV[&allowWatchBookmarks=true]
                                         200, Transfer-Encoding: chunked, one
                                         {"type","object"} JSON per line:
                                         ADDED, MODIFIED, DELETED, BOOKMARK, and
                                         ERROR with a 410 Expired Status when RV
                                         is older than the compacted history.
Bearer-token authentication (401 Status otherwise).

Test control (not Kubernetes), JSON bodies:
  POST /_control/upsert   {"name", "ip", "cidr"[, "ip6", "cidr6"]}   (cidr null: no podCIDR yet;
                           ip6 + cidr6: a dual-stack Node, IPv6 listed first as kind lists them)
  POST /_control/delete   {"name"}
  POST /_control/bump     advance the resourceVersion (another resource changed)
  POST /_control/compact  forget history: watches from older versions get 410
  POST /_control/drop     cut every open watch without the final chunk
  POST /_control/bookmarks {"interval": seconds}  (0: none)
  POST /_control/hold     {"on": bool}  open watches send nothing meanwhile
  POST /_control/http410  {"on": bool}  refuse a too-old watch with an HTTP
                          410 Status instead of an ERROR event (older servers)
  POST /_control/answer   {"path", "status", "body"}  answer every later GET or
                          POST of path with this status and raw body (a proxy
                          in front of etcd or the API server; "repeat": N
                          sends the body N times, for a large answer)
  POST /_control/unanswer {"path"}  answer that path normally again
  GET  /_control/requests the requests received so far
  GET  /_control/node?name=N  a Node object as stored (null: none)
  PATCH /api/v1/nodes/NAME/status  a strategic merge patch of status.conditions
          (merged by type, as the real server does); a MODIFIED event

Prints "PORT <n>" once listening on 127.0.0.1 (HTTPS when given a
certificate and key).
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, token):
        self.lock = threading.Condition()
        self.token = token
        self.rv = 100
        self.nodes = {}          # name -> Node object
        self.history = []        # (rv, type, object)
        self.compacted = 0       # watches from an RV below this get 410
        self.drop_generation = 0
        self.bookmark_interval = 0.0
        self.hold = False
        self.http410 = False
        self.requests = []
        self.answers = {}        # path -> (status, raw body)

    def node_object(self, name, ip, cidr, ip6=None, cidr6=None):
        self.rv += 1
        spec = {}
        if cidr:
            spec = {"podCIDR": cidr, "podCIDRs": [cidr]}
        if cidr and cidr6:
            spec = {"podCIDR": cidr6, "podCIDRs": [cidr6, cidr]}
        addresses = [{"type": "InternalIP", "address": ip6}] if ip6 else []
        return {
            "kind": "Node",
            "apiVersion": "v1",
            "metadata": {
                "name": name,
                "uid": "00000000-0000-0000-0000-%012d" % (abs(hash(name)) % 10**12),
                "resourceVersion": str(self.rv),
                "creationTimestamp": "2024-05-01T10:00:00Z",
                "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
            },
            "spec": spec,
            "status": {
                "addresses": addresses + [
                    {"type": "InternalIP", "address": ip},
                    {"type": "Hostname", "address": name},
                ],
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_canned(self, path):
        with self.state.lock:
            canned = self.state.answers.get(path)
        if canned is None:
            return False
        code, body = canned
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        return True

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def authorised(self):
        if self.headers.get("Authorization") == "Bearer " + self.state.token:
            return True
        self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        return False

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        st = self.state
        if url.path == "/_control/requests":
            with st.lock:
                return self.send_json(200, st.requests)
        if url.path == "/_control/node":
            with st.lock:
                node = st.nodes.get(query.get("name"))
                return self.send_json(200 if node else 404, node or {})
        with st.lock:
            st.requests.append({"path": url.path, "query": query})
        if self.send_canned(url.path):
            return
        if not self.authorised():
            return
        if url.path == "/api/v1/nodes":
            if query.get("watch") in ("1", "true"):
                return self.watch(query)
            return self.list(query)
        if url.path.startswith("/api/v1/nodes/"):
            name = urllib.parse.unquote(url.path[len("/api/v1/nodes/"):])
            with st.lock:
                node = st.nodes.get(name)
            if node is None:
                return self.send_json(404, status(404, "NotFound", 'nodes "%s" not found' % name))
            return self.send_json(200, node)
        self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))

    def list(self, query):
        st = self.state
        limit = int(query.get("limit") or 0)
        with st.lock:
            names = sorted(st.nodes)
            start = 0
            if query.get("continue"):
                token = json.loads(urllib.parse.unquote(query["continue"]))
                if token["rv"] < st.compacted:
                    return self.send_json(410, status(410, "Expired",
                                          "The provided continue parameter is too old to display a consistent list "
                                          "result. You can start a new list without the continue parameter."))
                start = token["start"]
                rv = token["rv"]
            else:
                rv = st.rv
            end = len(names) if not limit else min(len(names), start + limit)
            items = []
            for name in names[start:end]:
                item = dict(st.nodes[name])
                item.pop("kind", None)       # list items carry no kind/apiVersion
                item.pop("apiVersion", None)
                items.append(item)
            meta = {"resourceVersion": str(rv)}
            if end < len(names):
                meta["continue"] = json.dumps({"rv": rv, "start": end})
                meta["remainingItemCount"] = len(names) - end
        self.send_json(200, {"kind": "NodeList", "apiVersion": "v1", "metadata": meta, "items": items})

    def chunk(self, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, query):
        st = self.state
        rv = int(query.get("resourceVersion") or 0)
        bookmarks = query.get("allowWatchBookmarks") == "true"
        timeout = float(query.get("timeoutSeconds") or 1800)
        with st.lock:
            if rv and rv < st.compacted and st.http410:
                return self.send_json(410, status(410, "Gone", "too old resource version: %d (%d)" % (rv, st.compacted)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        deadline = time.monotonic() + timeout
        with st.lock:
            generation = st.drop_generation
            if rv and rv < st.compacted:
                self.chunk({"type": "ERROR", "object": status(
                    410, "Expired", "too old resource version: %d (%d)" % (rv, st.compacted))})
                self.wfile.write(b"0\r\n\r\n")
                return
            if not rv:  # "any": start with synthetic ADDED events, like the server
                pending = [(st.rv, "ADDED", n) for _, n in sorted(st.nodes.items())]
            else:
                pending = [e for e in st.history if e[0] > rv]
            sent_rv = max(rv, st.rv) if not rv else rv
            last_bookmark = time.monotonic()
        try:
            while True:
                with st.lock:
                    if st.hold:
                        while st.hold and st.drop_generation == generation:
                            st.lock.wait(0.05)
                        pending = [e for e in st.history if e[0] > sent_rv]
                    if st.drop_generation != generation:
                        pending = []
                for erv, etype, obj in pending:
                    self.chunk({"type": etype, "object": obj})
                    sent_rv = max(sent_rv, erv)
                with st.lock:
                    if st.drop_generation != generation:
                        self.connection.shutdown(2)  # no final chunk: a broken stream
                        self.close_connection = True
                        return
                    now = time.monotonic()
                    if now >= deadline:
                        break
                    interval = st.bookmark_interval
                    if bookmarks and interval and now - last_bookmark >= interval:
                        self.chunk({"type": "BOOKMARK", "object": {
                            "kind": "Node", "apiVersion": "v1",
                            "metadata": {"resourceVersion": str(st.rv), "creationTimestamp": None},
                            "spec": {}, "status": {"daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
                                                   "nodeInfo": {}}}})
                        sent_rv = st.rv
                        last_bookmark = now
                    pending = [e for e in st.history if e[0] > sent_rv]
                    if not pending:
                        st.lock.wait(0.05)
                        pending = [e for e in st.history if e[0] > sent_rv]
            self.wfile.write(b"0\r\n\r\n")  # the server's timeout: a clean end
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def do_PATCH(self):
        st = self.state
        url = urllib.parse.urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype = self.headers.get("Content-Type", "")
        with st.lock:
            st.requests.append({"method": "PATCH", "path": url.path, "query": {}, "contentType": ctype,
                                "body": raw.decode(errors="replace")})
        if self.send_canned(url.path):
            return
        if not self.authorised():
            return
        prefix, suffix = "/api/v1/nodes/", "/status"
        if not (url.path.startswith(prefix) and url.path.endswith(suffix)):
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        if ctype != "application/strategic-merge-patch+json":
            return self.send_json(415, status(415, "UnsupportedMediaType", "the body of the request was in an "
                                              "unknown format - accepted media types include: "
                                              "application/strategic-merge-patch+json"))
        try:
            patch = json.loads(raw)
            conditions = patch["status"]["conditions"]
            assert isinstance(conditions, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.send_json(400, status(400, "BadRequest", "not a status.conditions patch"))
        name = urllib.parse.unquote(url.path[len(prefix):-len(suffix)])
        with st.lock:
            node = st.nodes.get(name)
            if node is None:
                return self.send_json(404, status(404, "NotFound", 'nodes "%s" not found' % name))
            have = node["status"].setdefault("conditions", [])
            for c in conditions:
                have[:] = [h for h in have if h.get("type") != c.get("type")] + [c]
            st.rv += 1
            node["metadata"]["resourceVersion"] = str(st.rv)
            st.history.append((st.rv, "MODIFIED", json.loads(json.dumps(node))))
            st.lock.notify_all()
            answer = json.loads(json.dumps(node))
        self.send_json(200, answer)

    def do_POST(self):
        st = self.state
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith("/_control/"):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.send_canned(path):
                return
            return self.send_json(404, {})
        body = self.read_body()
        with st.lock:
            if path == "/_control/answer":
                raw = body["body"].encode() * int(body.get("repeat", 1))
                st.answers[body["path"]] = (int(body["status"]), raw)
            elif path == "/_control/unanswer":
                st.answers.pop(body["path"], None)
            elif path == "/_control/upsert":
                kind = "MODIFIED" if body["name"] in st.nodes else "ADDED"
                node = st.node_object(body["name"], body["ip"], body.get("cidr"), body.get("ip6"),
                                      body.get("cidr6"))
                st.nodes[body["name"]] = node
                st.history.append((st.rv, kind, node))
            elif path == "/_control/delete":
                node = st.nodes.pop(body["name"])
                st.rv += 1
                gone = json.loads(json.dumps(node))
                gone["metadata"]["resourceVersion"] = str(st.rv)
                st.history.append((st.rv, "DELETED", gone))
            elif path == "/_control/bump":
                st.rv += 1
            elif path == "/_control/compact":
                st.compacted = st.rv  # a watch from an older version gets 410
                st.history = [e for e in st.history if e[0] >= st.compacted]
            elif path == "/_control/drop":
                st.drop_generation += 1
            elif path == "/_control/hold":
                st.hold = bool(body["on"])
            elif path == "/_control/http410":
                st.http410 = bool(body["on"])
            elif path == "/_control/bookmarks":
                st.bookmark_interval = float(body["interval"])
            else:
                return self.send_json(404, {})
            st.lock.notify_all()
            rv = st.rv
        self.send_json(200, {"resourceVersion": str(rv)})


def main():
    # fake_kube_apiserver.py [TOKEN [CERT KEY]]: with CERT and KEY, HTTPS only.
    token = sys.argv[1] if len(sys.argv) > 1 else "test-token"
    Handler.state = State(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) > 3:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
