#!/usr/bin/env python3
"""Checks deploy/grafana/podlane-dashboard.json against the metrics podlaned serves.

FAMILIES below is the source of truth: a dashboard query naming any other
podlane_* metric (a typo, a renamed family) fails, and so does a family the
dashboard forgot. Every panel must use the ${datasource} variable and every
query must filter on the $instance variable. Python 3 stdlib only.

Usage: test_grafana_dashboard.py [path/to/podlane-dashboard.json] [unittest args]
"""
import copy
import json
import os
import re
import sys
import unittest

if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    DASHBOARD = sys.argv.pop(1)
else:
    DASHBOARD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "../../deploy/grafana/podlane-dashboard.json")

# Every family podlaned (node and router roles) exports, and its type.
FAMILIES = {
    "podlane_build_info": "gauge",
    "podlane_packets_total": "counter",
    "podlane_bytes_total": "counter",
    "podlane_map_entries": "gauge",
    "podlane_map_capacity": "gauge",
    "podlane_routes": "gauge",
    "podlane_endpoints": "gauge",
    "podlane_reconcile_duration_seconds": "histogram",
    "podlane_route_convergence_seconds": "histogram",
    "podlane_datastore_up": "gauge",
    "podlane_network_ready": "gauge",
    "podlane_datastore_errors_total": "counter",
    "podlane_refused_nodes_total": "counter",
    "podlane_router_neighbours": "gauge",
    "podlane_router_ports": "gauge",
}
# Only the router role exports these; the dashboard need not show them.
OPTIONAL_PREFIX = "podlane_router_"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
DATASOURCE_REF = "${datasource}"
INSTANCE_FILTER = 'instance=~"$instance"'
INSTANCE_QUERY = "label_values(podlane_build_info, instance)"

# A metric name, not preceded by a name character, with its optional {selector}.
METRIC_RE = re.compile(r'(?<![A-Za-z0-9_:])(podlane_[a-z0-9_]+)(\s*\{[^}]*\})?')


def family_of(token):
    """(family, error): the family a series name belongs to, or why it is wrong."""
    if token in FAMILIES:
        if FAMILIES[token] == "histogram":
            return None, "%s is a histogram: query %s_bucket/_sum/_count" % (token, token)
        return token, None
    for suffix in HISTOGRAM_SUFFIXES:
        if token.endswith(suffix):
            base = token[:-len(suffix)]
            if FAMILIES.get(base) == "histogram":
                return base, None
            if base in FAMILIES:
                return None, "%s: %s is only for histograms, %s is a %s" % (token, suffix, base, FAMILIES[base])
    return None, "%s is not a metric podlaned exports" % token


def references_datasource_var(ds):
    if isinstance(ds, dict):
        return ds.get("uid") == DATASOURCE_REF
    return ds == DATASOURCE_REF


def check_expr(where, expr, problems, used, need_instance=True):
    tokens = METRIC_RE.findall(expr)
    if not tokens:
        problems.append("%s: expr names no podlane_* metric: %r" % (where, expr))
    for name, selector in tokens:
        family, err = family_of(name)
        if err:
            problems.append("%s: %s" % (where, err))
        else:
            used.add(family)
        if need_instance and INSTANCE_FILTER not in selector.replace(" ", ""):
            problems.append("%s: %s is not filtered by %s" % (where, name, INSTANCE_FILTER))


def all_panels(panels):
    for p in panels:
        yield p
        # Collapsed rows keep their panels inside.
        for inner in p.get("panels", []) or []:
            yield inner


def problems_of(dash):
    """Every problem with a parsed dashboard, as readable strings ([] = good)."""
    problems = []
    used = set()

    for key in ("title", "uid"):
        if not isinstance(dash.get(key), str) or not dash[key]:
            problems.append("dashboard has no %s" % key)
    panels = dash.get("panels")
    if not isinstance(panels, list) or not panels:
        problems.append("dashboard has no panels")
        panels = []

    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds_var = variables.get("datasource")
    if not ds_var or ds_var.get("type") != "datasource" or ds_var.get("query") != "prometheus":
        problems.append("templating needs a variable 'datasource' of type datasource, query prometheus")
    inst_var = variables.get("instance")
    if not inst_var or inst_var.get("type") != "query":
        problems.append("templating needs a query variable 'instance'")
    else:
        q = inst_var.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if q != INSTANCE_QUERY:
            problems.append("variable instance: query is %r, want %r" % (q, INSTANCE_QUERY))
        if not references_datasource_var(inst_var.get("datasource")):
            problems.append("variable instance: datasource does not reference %s" % DATASOURCE_REF)
        check_expr("variable instance", q or "", problems, used, need_instance=False)

    ids = set()
    cells = {}
    for p in all_panels(panels):
        title = p.get("title", "?")
        if p.get("type") == "row":
            continue
        pid = p.get("id")
        where = "panel %r (id %r)" % (title, pid)
        if not isinstance(pid, int) or pid in ids:
            problems.append("%s: id missing or not unique" % where)
        ids.add(pid)

        g = p.get("gridPos")
        if not isinstance(g, dict) or not all(isinstance(g.get(k), int) for k in "xywh"):
            problems.append("%s: gridPos needs integer x, y, w, h" % where)
        elif g["x"] < 0 or g["y"] < 0 or g["w"] < 1 or g["h"] < 1 or g["x"] + g["w"] > 24:
            problems.append("%s: gridPos %r is outside the 24-column grid" % (where, g))
        else:
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        problems.append("%s: overlaps panel %r" % (where, cells[(x, y)]))
                        break
                    cells[(x, y)] = title
                else:
                    continue
                break

        if not references_datasource_var(p.get("datasource")):
            problems.append("%s: datasource does not reference %s" % (where, DATASOURCE_REF))

        targets = p.get("targets") or []
        if not any(isinstance(t.get("expr"), str) and t["expr"].strip() for t in targets):
            problems.append("%s: no target with a non-empty expr" % where)
        for t in targets:
            twhere = "%s target %s" % (where, t.get("refId", "?"))
            if "datasource" in t and not references_datasource_var(t["datasource"]):
                problems.append("%s: datasource does not reference %s" % (twhere, DATASOURCE_REF))
            expr = t.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                problems.append("%s: empty expr" % twhere)
                continue
            check_expr(twhere, expr, problems, used)

    for family in sorted(FAMILIES):
        if family not in used and not family.startswith(OPTIONAL_PREFIX):
            problems.append("no panel shows %s" % family)
    return problems


def load():
    with open(DASHBOARD) as f:
        return json.load(f)


class Dashboard(unittest.TestCase):
    def test_is_valid_json(self):
        try:
            dash = load()
        except ValueError as e:
            self.fail("%s is not valid JSON: %s" % (DASHBOARD, e))
        self.assertIsInstance(dash, dict)

    def test_identity(self):
        dash = load()
        self.assertEqual(dash.get("uid"), "podlane-overview")
        self.assertEqual(dash.get("title"), "podlane")

    def test_no_problems(self):
        problems = problems_of(load())
        self.assertEqual(problems, [], "\n" + "\n".join(problems))


class CheckerRejects(unittest.TestCase):
    """The checker must not pass vacuously: doctored copies are rejected."""

    def doctored(self, change):
        dash = copy.deepcopy(load())
        self.assertEqual(problems_of(dash), [], "the original must pass first")
        change(dash)
        return problems_of(dash)

    def first_expr_target(self, dash):
        return next(t for p in dash["panels"] for t in p.get("targets", []) if t.get("expr"))

    def test_unknown_metric(self):
        def change(d):
            self.first_expr_target(d)["expr"] = 'rate(podlane_no_such_metric{%s}[5m])' % INSTANCE_FILTER
        problems = self.doctored(change)
        self.assertTrue(any("podlane_no_such_metric" in p for p in problems), problems)

    def test_bucket_on_a_counter(self):
        def change(d):
            self.first_expr_target(d)["expr"] = 'podlane_packets_total_bucket{%s}' % INSTANCE_FILTER
        problems = self.doctored(change)
        self.assertTrue(any("podlane_packets_total_bucket" in p for p in problems), problems)

    def test_missing_instance_filter(self):
        def change(d):
            t = self.first_expr_target(d)
            t["expr"] = t["expr"].replace(INSTANCE_FILTER, 'instance=~".*"')
        problems = self.doctored(change)
        self.assertTrue(any("not filtered by" in p for p in problems), problems)

    def test_hardcoded_datasource(self):
        def change(d):
            d["panels"][0]["datasource"] = {"type": "prometheus", "uid": "prometheus"}
        self.assertTrue(self.doctored(change))


if __name__ == "__main__":
    unittest.main(verbosity=2)
