"""The plan and drift workflows make their scratch server a service container of
production's major, read from one setting, pass it as --scratch, and say which major in
the job summary (actionlint checks the files themselves: test_outputs.py)."""

from __future__ import annotations

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def test_the_one_setting_is_a_major_version():
    assert (REPO / ".github" / "pgproof-production-major").read_text().strip().isdigit()


def test_plan_and_drift_run_the_scratch_as_a_service_of_that_major():
    for name, command in (("pgproof-plan.yml", "pgproof plan --scratch \"$SCRATCH_URL\""),
                          ("pgproof-drift.yml", "pgproof drift --scratch \"$SCRATCH_URL\"")):
        text = (WORKFLOWS / name).read_text()
        assert "image: pgvector/pgvector:pg${{ needs.major.outputs.major }}" in text, name
        assert ".github/pgproof-production-major" in text, name
        assert command in text, name
        assert "Scratch: PostgreSQL ${{ needs.major.outputs.major }}" in text and "GITHUB_STEP_SUMMARY" in text, name


def test_every_workflow_installs_the_pinned_release_never_the_working_tree():
    from pgproof import __version__

    for path in sorted(WORKFLOWS.glob("*.yml")):
        text = path.read_text()
        assert "pip install -e" not in text and "pip install .\n" not in text, path.name
        assert f"ref: v{__version__}\n" in text, path.name
        assert "run: pip install ./.pgproof-release\n" in text, path.name


def test_deploy_replans_and_asks_for_review_when_the_reviewed_plan_went_stale():
    text = (WORKFLOWS / "pgproof-deploy.yml").read_text()
    apply_step = text.split("- name: Apply exactly what was reviewed", 1)[1].split("- name:", 1)[0]
    # Only apply's stale refusal (exit 3, "the plan is stale") leads to a new plan; any other failure fails.
    assert 'if [ "$code" -eq 3 ] && grep -q "the plan is stale" apply.err; then' in apply_step
    assert 'echo "stale=true" >> "$GITHUB_OUTPUT"' in apply_step and 'exit "$code"' in apply_step
    replan = text.split("\n  replan:\n", 1)[1]
    assert "if: always() && needs.apply.outputs.stale == 'true'" in replan
    assert 'pgproof plan --scratch "$SCRATCH_URL" --out plan.sql --format markdown > plan.md' in replan
    assert '>> "$GITHUB_STEP_SUMMARY"' in replan and "issues.createComment" in replan
    assert "gh workflow run pgproof-deploy.yml -f plan_run=${{ github.run_id }}" in replan and "exit 1" in replan
    # After review, the deploy applies the plan of that run, never a fresh one.
    assert "workflow_dispatch:" in text and 'gh run download "$run_id" --name pgproof-plan' in text
    # The job summary is markdown, and names no host.
    assert 'pgproof history --format markdown >> "$GITHUB_STEP_SUMMARY"' in text and "| head" not in text
