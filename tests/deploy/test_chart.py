"""The Helm chart renders (Helm's Go SDK) with default and production values, lints clean, and every
manifest it renders validates against the Kubernetes schemas of a current version (kubernetes-validate,
strict: unknown fields are errors). The operator kinds (ServiceMonitor, PrometheusRule, KafkaTopic)
have no schema there: their shape is checked against what the operators read."""

from __future__ import annotations

from pathlib import Path

import helm_python
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "bakat"
KUBERNETES = "1.33"
CUSTOM_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"),
}
BACKENDS = ("roster", "assessment", "placement", "scheduling")


def production_values() -> dict:
    return yaml.safe_load((CHART / "values-production.example.yaml").read_text())


def render(values: dict | None = None) -> list[dict]:
    chart = helm_python.Chart.load(str(CHART))
    rendered = chart.render(values=values or {}, name="bakat", namespace="bakat-jatim", is_install=True)
    return [doc for text in rendered.values() for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="module", params=["default", "production"])
def manifests(request) -> list[dict]:
    return render(None if request.param == "default" else production_values())


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.mark.parametrize("values", ["default", "production"])
def test_the_chart_lints_clean(values: str) -> None:
    report = helm_python.lint(str(CHART), None if values == "default" else production_values(), strict=True)
    assert report["errors"] == [] and all(m["severity"] < 2 for m in report["messages"]), report


def test_every_manifest_validates_against_the_kubernetes_schemas(manifests) -> None:
    assert len(manifests) > 30
    for doc in manifests:
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)  # raises on any error


def test_a_broken_manifest_is_caught() -> None:
    # The validation above can fail: the same Deployment with a misspelt field is refused.
    deployment = next(d for d in render() if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_operator_resources_have_the_shape_their_operators_read(manifests) -> None:
    kinds = {(d["apiVersion"], d["kind"]) for d in manifests}
    monitors = by_kind(manifests, "ServiceMonitor")
    for monitor in monitors.values():
        assert monitor["spec"]["selector"]["matchLabels"]["bakat.go.id/metrics"] == "true"
        assert all(e["port"] == "http" and e["path"] == "/metrics/" for e in monitor["spec"]["endpoints"])
    for rule in by_kind(manifests, "PrometheusRule").values():
        groups = rule["spec"]["groups"]
        assert groups and all(g["name"] and g["rules"] for g in groups)
        for alert in (r for g in groups for r in g["rules"] if "alert" in r):
            assert alert["expr"] and alert["labels"]["severity"] and alert["annotations"]["runbook_url"]
    for topic in by_kind(manifests, "KafkaTopic").values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"]
        assert topic["spec"]["partitions"] >= 1 and topic["spec"]["replicas"] >= 1
    assert ("monitoring.coreos.com/v1", "ServiceMonitor") in kinds
    assert ("monitoring.coreos.com/v1", "PrometheusRule") in kinds


def test_each_service_runs_as_web_and_worker_with_probes_and_a_locked_down_container(manifests) -> None:
    deployments = by_kind(manifests, "Deployment")
    assert set(deployments) == {"bakat-gateway"} | {f"bakat-{s}" for s in BACKENDS} | {
        f"bakat-{s}-worker" for s in BACKENDS
    }
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"] and container["resources"]["limits"]
        locked = container["securityContext"]
        assert locked["readOnlyRootFilesystem"] and not locked["allowPrivilegeEscalation"]
        assert locked["capabilities"]["drop"] == ["ALL"]
        # SIGTERM to SIGKILL: in-flight requests, then up to 10 s of the app's shutdown (the
        # consumers' batch and offset commit, app.py), all inside the grace period.
        args = container["args"]
        requests_s = int(args[args.index("--timeout-graceful-shutdown") + 1])
        assert requests_s + 10 < pod["terminationGracePeriodSeconds"]
        env = {e["name"]: e for e in container["env"]}
        if name == "bakat-gateway":
            assert env["BAKAT_ROSTER_URL"]["value"] == "http://bakat-roster:8000"
            continue
        # web pods serve requests only; worker pods relay the outbox and consume
        worker = name.endswith("-worker")
        assert env["BAKAT_RUN_RELAY"]["value"] == env["BAKAT_RUN_CONSUMERS"]["value"] == str(worker).lower()
        assert "secretKeyRef" in env["BAKAT_DATABASE_URL"]["valueFrom"]  # never a literal password


def test_only_the_gateway_is_reachable_from_outside(manifests) -> None:
    (ingress,) = by_kind(manifests, "Ingress").values()
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"bakat-gateway"}
    services = by_kind(manifests, "Service")
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in services.values())
    policies = by_kind(manifests, "NetworkPolicy")
    deny = policies["bakat-default-deny"]["spec"]
    assert deny["policyTypes"] == ["Ingress"] and "ingress" not in deny  # nothing allowed by default
    allowed_from = policies["bakat-services"]["spec"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {
        "app.kubernetes.io/name": "gateway", "app.kubernetes.io/instance": "bakat",
        "app.kubernetes.io/component": "web"}}} in allowed_from  # fmt: skip


def test_migrations_run_before_install_and_upgrade_for_every_database(manifests) -> None:
    (job,) = by_kind(manifests, "Job").values()
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    containers = job["spec"]["template"]["spec"]["containers"]
    assert [c["command"] for c in containers] == [["python", "-m", "bakat_common.migrate", s] for s in BACKENDS]


def test_hpa_and_pdb_target_the_web_deployments(manifests) -> None:
    deployments = by_kind(manifests, "Deployment")
    for hpa in by_kind(manifests, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert "replicas" not in deployments[hpa["spec"]["scaleTargetRef"]["name"]]["spec"]  # the HPA owns it
    for pdb in by_kind(manifests, "PodDisruptionBudget").values():
        labels = pdb["spec"]["selector"]["matchLabels"]
        assert any(
            d["spec"]["selector"]["matchLabels"] == labels for d in deployments.values()
        ), pdb["metadata"]["name"]


def test_production_values_wire_external_kafka_and_postgres() -> None:
    docs = render(production_values())
    env = by_kind(docs, "ConfigMap")["bakat-env"]["data"]
    assert env["BAKAT_DEV_MODE"] == "false"
    assert "kafka-bootstrap" in env["BAKAT_KAFKA_BOOTSTRAP_SERVERS"]
    assert by_kind(docs, "KafkaTopic")  # Strimzi topics on in the example
    roster = by_kind(docs, "Deployment")["bakat-roster"]["spec"]["template"]["spec"]["containers"][0]
    url = next(e for e in roster["env"] if e["name"] == "BAKAT_DATABASE_URL")
    assert url["valueFrom"]["secretKeyRef"]["key"] == "uri"  # CloudNativePG's app Secret


def test_the_values_schema_refuses_bad_values() -> None:
    chart = helm_python.Chart.load(str(CHART))
    for bad in ({"devMode": "yes"}, {"services": {"roster": {"replicas": -1}}}, {"image": {"registry": 5}},
                {"kafka": {"topics": {"partitions": 0}}}):  # fmt: skip
        with pytest.raises(helm_python.HelmError):
            chart.render(values=bad, name="bakat", namespace="bakat-jatim", is_install=True)


def test_the_charts_copies_of_rules_and_dashboards_are_the_sources() -> None:
    pairs = [(ROOT / "deploy" / "prometheus" / "bakat-rules.yaml", CHART / "files" / "bakat-rules.yaml")]
    pairs += [(p, CHART / "files" / "dashboards" / p.name) for p in sorted((ROOT / "deploy" / "grafana").glob("*.json"))]
    assert len(pairs) >= 4
    fix = "cp deploy/prometheus/bakat-rules.yaml deploy/helm/bakat/files/ && cp deploy/grafana/*.json deploy/helm/bakat/files/dashboards/"
    for source, copy in pairs:
        assert copy.exists() and copy.read_bytes() == source.read_bytes(), f"{copy} differs from {source}: {fix}"
