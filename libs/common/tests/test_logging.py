import json
import logging

from bakat_common.app import tenant_in_path
from bakat_common.logging import JsonFormatter, request_id_var, tenant_var


def test_log_lines_are_json_with_request_id_and_tenant():
    formatter = JsonFormatter("placement")
    record = logging.LogRecord("bakat.test", logging.WARNING, __file__, 1, "placed %s", ("198503152010011003",), None)
    record.event_id = "e-1"
    rid, tenant = request_id_var.set("req-42"), tenant_var.set("kota-batu")
    try:
        line = json.loads(formatter.format(record))
    finally:
        request_id_var.reset(rid)
        tenant_var.reset(tenant)
    assert line["message"] == "placed 198503152010011003"
    assert line["service"] == "placement" and line["level"] == "WARNING"
    assert line["request_id"] == "req-42" and line["tenant"] == "kota-batu"
    assert line["event_id"] == "e-1"


def test_tenant_is_read_from_the_path():
    assert tenant_in_path("/tenants/kota-batu/employees/1") == "kota-batu"
    assert tenant_in_path("/tenants/kota-batu") == "kota-batu"
    assert tenant_in_path("/tenants") is None
    assert tenant_in_path("/healthz") is None
