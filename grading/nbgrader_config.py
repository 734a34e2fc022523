"""nbgrader configuration of the Hidden Work course.

Run every nbgrader command from this folder (``cd grading``), or through ``make labs``.
Instructor notebooks live in ``source/<lab>/<lab>.ipynb``; nbgrader writes ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` here (all git-ignored).
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from hiddenwork.feedback import HideHiddenTests

c = get_config()  # type: ignore[name-defined] # noqa: F821 (provided by traitlets)

c.CourseDirectory.course_id = "hiddenwork"

# Per-cell execution timeout while autograding (seconds). The slowest cell of any lab's
# solution takes a few seconds on Binder; 120 s leaves room for a slow shared JupyterHub
# without letting an infinite loop hold the grader for long.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Files a student creates in the lab folder (the labels the labelling widget writes) travel
# with the submission; editor and Python clutter do not.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# Feedback must not reveal hidden tests (see hiddenwork.feedback).
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
