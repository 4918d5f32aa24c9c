

def test_generated_passwords_always_pass_the_password_rules():
    from intake_service.security import new_password, password_problem

    assert all(password_problem(new_password()) is None for _ in range(500))
