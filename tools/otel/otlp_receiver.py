"""A minimal OTLP/HTTP trace receiver for the tests: decodes each POST /v1/traces
(ExportTraceServiceRequest, protobuf, optionally gzip) with the OpenTelemetry protobuf
definitions and appends one JSON object per span to OUTPUT:
{trace_id, span_id, parent_span_id, name, kind, service, attributes, events}.

Usage: otlp_receiver.py PORT OUTPUT   (listens on 127.0.0.1:PORT until killed)
       otlp_receiver.py PORT --count      (benchmarks: answers without decoding; OUTPUT is
                                           not written, the export count goes to stdout at exit)
"""
import gzip
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

LOCK = threading.Lock()


def value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class Receiver(BaseHTTPRequestHandler):
    # Keep-alive, as a collector does: the exporter reuses its connection instead of paying a
    # connect (and this server a new thread) per export.
    protocol_version = "HTTP/1.1"
    output = None

    exports = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.output == "--count":
            with LOCK:
                Receiver.exports += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path != "/v1/traces":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        lines = []
        for resource_spans in request.resource_spans:
            resource = {a.key: value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    lines.append(json.dumps({
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": MessageToDict(span).get("kind", "SPAN_KIND_INTERNAL"),
                        "service": resource.get("service.name"),
                        "role": resource.get("videogenx.role"),
                        "attributes": {a.key: value(a.value) for a in span.attributes},
                        "events": [event.name for event in span.events],
                        "start": span.start_time_unix_nano,
                        "end": span.end_time_unix_nano,
                    }))
        with LOCK:
            with open(self.output, "a") as out:
                for line in lines:
                    out.write(line + "\n")
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    import signal

    Receiver.output = sys.argv[2]

    def report(*_):
        print(f"exports received: {Receiver.exports}", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
