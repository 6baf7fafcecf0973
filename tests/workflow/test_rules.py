"""The workflow's rules as a Snakemake maintainer reads them: each rule's script is one call of the
job function of the same name (icegp.jobs), so a rule and its code are found by one name."""

import re

from conftest import REPO

RULE = re.compile(r"^ *rule ?(\w*):(.*?)(?=^ *rule[ :]|\Z)", re.S | re.M)
SCRIPT = re.compile(r'script:\s*"\.\./scripts/(\w+)\.py"')
FAMILY = re.compile(r"name:\s*plan\.(\w+)_rule\(")  # rules made in a loop, one per chunk: chunk_<first>_<last>


def rules() -> list[tuple[str, str]]:
    """(name, body) of every rule; a rule made in a loop is named for its family (`chunk`)."""
    found = []
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for name, body in RULE.findall(smk.read_text()):
            family = FAMILY.search(body)
            assert name or family, f"{smk.name}: a rule without a name or a plan.<family>_rule name"
            found.append((name or family.group(1), body))
    return found


def rules_and_scripts() -> dict[str, str]:
    found = {}
    for name, body in rules():
        script = SCRIPT.search(body)
        if script:
            found[name] = script.group(1)
    return found


def test_every_rule_calls_the_job_function_of_its_name():
    found = rules_and_scripts()
    assert len(found) >= 15 and "load_day" in found  # every rule of the DAG runs a script
    for rule, script in found.items():
        text = (REPO / "workflow" / "scripts" / f"{script}.py").read_text()
        modules = re.findall(r"^from icegp\.jobs import (\w+)$", text, re.M)
        calls = {f for m in modules for f in re.findall(rf"^{m}\.(\w+)\(", text, re.M)}
        assert calls == {rule}, f"rule {rule}: its script {script}.py calls {calls}"


def report_calls(text: str) -> list[str]:
    """The argument text of every report(...) call, parentheses balanced."""
    calls = []
    for start in (m.end() for m in re.finditer(r"\breport\(", text)):
        depth, end = 1, start
        while depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        calls.append(text[start : end - 1])
    return calls


def test_every_report_item_has_a_caption_that_exists():
    items = 0
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for call in report_calls(smk.read_text()):
            items += 1
            caption = re.search(r'caption="\.\./report/(\w+\.rst)"', call)
            assert caption, f"{smk.name}: a report item without a caption: report({call.strip()[:60]}...)"
            assert (REPO / "workflow" / "report" / caption.group(1)).read_text().strip()
    assert items >= 12


def test_every_rule_says_what_it_makes_and_starts_with_its_name():
    """A `message:` replaces the rule's name in Snakemake's log, so each message begins with it."""
    for name, body in rules():
        message = re.search(r'message:\s*f?"([^"]+)"', body)
        assert message and message.group(1).startswith(f"{name}: "), f"rule {name}: no message naming it"


def test_no_rule_or_script_writes_a_path_of_its_own():
    """Every results/, logs/ and benchmarks/ path comes from icegp.plan, the layout's one home."""
    files = [*(REPO / "workflow" / "rules").glob("*.smk"), *(REPO / "workflow" / "scripts").glob("*.py")]
    for path in [REPO / "Snakefile", *files]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            assert not re.search(r"[\"'](results|logs|benchmarks)/", code), f"{path.name}:{n}: {line.strip()}"


def test_no_rule_states_a_default_thread_count():
    """`threads: 1` is Snakemake's default: a rule states threads only where they come from the config."""
    for name, body in rules():
        threads = re.search(r"^\s*threads:\s*(.+)$", body, re.M)
        assert not threads or threads.group(1).strip() != "1", f"rule {name}: threads: 1 is the default"


def test_the_job_modules_mirror_the_rule_files():
    """A rule of workflow/rules/<name>.smk calls its job in icegp.jobs.<name>: the file names the module."""
    checked = 0
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for name, body in RULE.findall(smk.read_text()):
            script = SCRIPT.search(body)
            if script:
                text = (REPO / "workflow" / "scripts" / f"{script.group(1)}.py").read_text()
                modules = re.findall(r"^from icegp\.jobs import (\w+)$", text, re.M)
                assert modules == [smk.stem], f"{smk.name}: rule {name or script.group(1)} calls icegp.jobs.{modules}"
                checked += 1
    assert checked >= 15
