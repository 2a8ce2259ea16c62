"""Package the grader and the course for other platforms (Gradescope's autograder zip)."""
