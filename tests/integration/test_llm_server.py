"""The server backend against a real llama-cpp-python server on 127.0.0.1, and its URL policy."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentconsole.config import ModelSettings, NetworkSettings, ServerSettings, Settings
from agentconsole.errors import EgressRefused
from agentconsole.llm import ChatTurn, ServerEngine, ServerError, build_engine
from agentconsole.llm.server import check_server_url
from agentconsole.logs import REDACTED, redact

pytestmark = pytest.mark.model

# A synthetic bearer token for the test server; not a real credential.
TEST_TOKEN = "test-token-5b1e0c7a"
QUESTION = [ChatTurn("user", "My VPN keeps disconnecting. What should I check first?")]

# `python -m llama_cpp.server`, with agentconsole's CPU buffer policy applied first: on machines
# whose CPU advertises AMX without the hypervisor enabling it, llama.cpp would crash on the first
# batched decode (see agentconsole/llm/native.py).
LAUNCHER = """
import runpy, sys
from pathlib import Path
from agentconsole.llm.native import extra_buffers_usable, set_extra_buffers
set_extra_buffers(extra_buffers_usable(Path(sys.argv[sys.argv.index("--model") + 1])))
sys.argv[0] = "llama_cpp.server"
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    cmd = [
        sys.executable,
        "-c",
        LAUNCHER,
        "--model",
        str(default_model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        "1",
        "--api_key",
        TEST_TOKEN,
        "--verbose",
        "false",
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ready = threading.Event()

    def watch_log() -> None:
        assert process.stderr is not None
        with log_path.open("wb") as log:
            for line in process.stderr:
                log.write(line)
                log.flush()
                if b"Uvicorn running on" in line:
                    ready.set()
        ready.set()  # the process ended: let the fixture see it

    watcher = threading.Thread(target=watch_log, daemon=True)
    watcher.start()
    try:
        if not ready.wait(180) or process.poll() is not None:
            pytest.fail(f"llama_cpp.server did not start; see {log_path}")
        yield RunningServer(url=f"http://127.0.0.1:{port}", process=process)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        watcher.join(10)


def _settings(home: Path, url: str, **server: object) -> Settings:
    return Settings(
        model=ModelSettings(backend="server", n_ctx=2048, max_tokens=24),
        server=ServerSettings(url=url, **server),  # type: ignore[arg-type]
        home=home,
    )


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "model-server.token"
    path.write_text(TEST_TOKEN + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def engine(llama_server: RunningServer, tmp_path: Path, token_file: Path) -> Iterator[ServerEngine]:
    engine = build_engine(_settings(tmp_path, llama_server.url, token_file=str(token_file)))
    assert isinstance(engine, ServerEngine)
    engine.load()
    yield engine
    engine.close()


def test_streams_from_a_real_server(engine: ServerEngine) -> None:
    generation = engine.stream(QUESTION, temperature=0.0, seed=5, max_tokens=24)
    deltas = list(generation)
    assert deltas and "".join(deltas) == generation.text
    stats = generation.stats
    assert 1 <= stats.completion_tokens <= 24 and len(deltas) == stats.completion_tokens
    assert stats.prompt_tokens > 0 and 0 < stats.ttft_ms <= stats.total_ms
    assert stats.finish_reason in ("stop", "length") and not stats.cancelled
    # The same question at temperature 0 answers the same. Compared from the same state of the
    # server's prompt cache: llama_cpp.server (0.3.36) reuses the cached prompt and re-evaluates
    # only its last token, whose logits are not bit-identical to the whole prompt's batch, so a
    # cold and a warm request may part at a near tie (llama.cpp says as much of its prompt cache).
    # Two warm requests run the same computation: they must answer the same.
    again = "".join(engine.stream(QUESTION, temperature=0.0, seed=5, max_tokens=24))
    assert again and "".join(engine.stream(QUESTION, temperature=0.0, seed=5, max_tokens=24)) == again


def test_cancel_mid_stream_then_ask_again(engine: ServerEngine) -> None:
    generation = engine.stream(QUESTION, temperature=0.0, max_tokens=200)
    received = [next(generation), next(generation)]
    generation.cancel()
    assert list(generation) == []
    assert generation.text == "".join(received) and generation.stats.cancelled
    after = engine.stream(QUESTION, temperature=0.0, max_tokens=8)
    assert "".join(after) and not after.stats.cancelled


def test_cancel_from_another_thread_unblocks_the_reader(engine: ServerEngine) -> None:
    generation = engine.stream(QUESTION, temperature=0.0, max_tokens=200)
    first = threading.Event()
    done = threading.Event()

    def stop_button() -> None:
        first.wait()
        engine.cancel()
        done.set()

    thread = threading.Thread(target=stop_button)
    thread.start()
    count = 0
    for _delta in generation:
        count += 1
        first.set()
        assert done.wait(30)
    thread.join()
    assert count == 1 and generation.stats.cancelled


def test_the_token_is_required_and_never_shown(llama_server: RunningServer, tmp_path: Path, token_file: Path) -> None:
    without = build_engine(_settings(tmp_path, llama_server.url))
    with pytest.raises(ServerError, match="HTTP 401") as info:
        without.load()
    assert "\n" not in info.value.message
    wrong = tmp_path / "wrong.token"
    wrong.write_text("not-the-token\n")
    with pytest.raises(ServerError, match="HTTP 401") as info:
        build_engine(_settings(tmp_path, llama_server.url, token_file=str(wrong))).load()
    assert "not-the-token" not in info.value.message
    good = build_engine(_settings(tmp_path, llama_server.url, token_file=str(token_file)))
    good.load()
    assert redact(f"Authorization: Bearer {TEST_TOKEN}") == f"Authorization: Bearer {REDACTED}"


def test_https_to_a_plain_http_server_fails_cleanly(llama_server: RunningServer, tmp_path: Path) -> None:
    url = llama_server.url.replace("http://", "https://")
    with pytest.raises(ServerError, match="unreachable|certificate") as info:
        build_engine(_settings(tmp_path, url)).load()
    assert "\n" not in info.value.message


def test_missing_token_file_and_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="token_file not found"):
        build_engine(_settings(tmp_path, "http://127.0.0.1:9", token_file=str(tmp_path / "nope"))).load()
    with pytest.raises(ServerError, match="ca_bundle not found"):
        build_engine(_settings(tmp_path, "https://localhost:9", ca_bundle=str(tmp_path / "ca.pem"))).load()


# --- URL policy: decided before any socket is opened --------------------------------

TEST_NET_HOST = "192.0.2.1"  # TEST-NET-1: never routed; no test here ever connects to it


def test_plain_http_only_to_loopback_or_named_hosts() -> None:
    assert check_server_url("http://127.0.0.1:8080/v1").port == 8080
    assert check_server_url("http://localhost:8080").host == "localhost"
    assert check_server_url("http://[::1]:8080").host == "::1"
    with pytest.raises(ServerError, match="refusing plain http to 192.0.2.1"):
        check_server_url(f"http://{TEST_NET_HOST}:8000")


def test_hosts_outside_allowed_hosts_are_refused_before_connecting(tmp_path: Path) -> None:
    with pytest.raises(EgressRefused, match="network.allowed_hosts"):
        check_server_url(f"https://{TEST_NET_HOST}:8443")
    # Even with plain http explicitly allowed for it, the egress allow list still decides.
    with pytest.raises(EgressRefused):
        check_server_url(f"http://{TEST_NET_HOST}:8000", allow_http_hosts=[TEST_NET_HOST])
    settings = Settings(
        model=ModelSettings(backend="server"),
        server=ServerSettings(url=f"https://{TEST_NET_HOST}:8443"),
        network=NetworkSettings(allowed_hosts=[]),
        home=tmp_path,
    )
    with pytest.raises(EgressRefused):
        build_engine(settings).load()


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("", "server.url is empty"),
        ("ftp://127.0.0.1/", "must start with https://"),
        ("https://user:secret@127.0.0.1/", "must not contain credentials"),
        ("https:///v1", "no host"),
        ("https://127.0.0.1:notaport/", "invalid port"),
    ],
)
def test_malformed_urls(url: str, phrase: str) -> None:
    with pytest.raises(ServerError, match=phrase) as info:
        check_server_url(url)
    assert "secret" not in info.value.message


# --- https: certificate verification with an internal CA ------------------------------


@pytest.fixture(scope="module")
def internal_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real TLS endpoint on 127.0.0.1 with a certificate from a throwaway 'internal CA'.

    It answers the two OpenAI-compatible routes the engine uses, enough to prove
    the handshake, host-name check and SSE parsing over TLS.
    """
    import datetime
    import http.server
    import json
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("internal-ca")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Support Internal CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = folder / "internal-ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain = folder / "server.pem"
    chain.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = json.dumps({"data": [{"id": "internal-model"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            events = [{"choices": [{"delta": {"content": part}, "finish_reason": None}]} for part in ("Over", " TLS")]
            events.append(
                {
                    "choices": [{"delta": {}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 42, "completion_tokens": 2},
                }
            )
            payload = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}/v1", ca_pem
    finally:
        server.shutdown()
        server.server_close()


def test_https_needs_the_internal_ca(internal_tls_server: tuple[str, Path], tmp_path: Path) -> None:
    url, ca_pem = internal_tls_server
    with pytest.raises(ServerError, match="certificate not trusted") as info:
        build_engine(_settings(tmp_path, url)).load()
    assert "server.ca_bundle" in info.value.message and "\n" not in info.value.message
    engine = build_engine(_settings(tmp_path, url, ca_bundle=str(ca_pem)))
    engine.load()
    assert engine.model_name == "internal-model"
    generation = engine.stream(QUESTION)
    assert "".join(generation) == "Over TLS"
    assert generation.stats.prompt_tokens == 42 and generation.stats.finish_reason == "stop"


def test_https_checks_the_host_name(internal_tls_server: tuple[str, Path], tmp_path: Path) -> None:
    url, ca_pem = internal_tls_server
    # Same listener, trusted CA, but the certificate names only "localhost".
    wrong_name = url.replace("localhost", "127.0.0.1")
    with pytest.raises(ServerError, match="certificate not trusted.*mismatch"):
        build_engine(_settings(tmp_path, wrong_name, ca_bundle=str(ca_pem))).load()
