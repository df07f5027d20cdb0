from helpers.lesson_code import attempt


def test_working_snippet_runs_and_shares_its_namespace():
    namespace = {}
    result = attempt("x = 1 + 1", namespace)
    assert result.ok and str(result) == "runs" and namespace["x"] == 2


def test_failing_snippet_reports_type_and_first_line_of_message():
    result = attempt("import evidently.report")
    assert not result.ok
    assert result.error_type == "ModuleNotFoundError"
    assert str(result) == "fails with ModuleNotFoundError: No module named 'evidently.report'"


def test_syntax_error_is_reported_not_raised():
    assert attempt("def broken(:").error_type == "SyntaxError"


def test_file_paths_are_removed_from_messages():
    result = attempt("from evidently.metrics import DataDriftTable")
    assert str(result) == "fails with ImportError: cannot import name 'DataDriftTable' from 'evidently.metrics'"
