from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from groups.forms import strip_whitespace

PASSWORD_HINT = "At least 10 characters. A few ordinary words in a row make a strong one."


class NewPasswordMixin:
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")],
    )
    password_again = PasswordField(
        "New password again",
        validators=[
            DataRequired(),
            EqualTo("password", message="The two passwords are different."),
        ],
    )


class SignUpForm(FlaskForm):
    display_name = StringField(
        "Your name as others will see it",
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=80, message="Use up to 80 characters.")],
    )
    email = EmailField(
        "Email address",
        filters=[strip_whitespace],
        validators=[
            DataRequired(),
            Email(message="Enter an email address like name@example.org."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")],
    )
    next = HiddenField()  # the page to come back to once the address is confirmed

    def validate_password(self, field) -> None:
        if self.email.data and field.data.strip().lower() == self.email.data.lower():
            raise ValidationError("Choose a password that isn't your email address.")


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip_whitespace],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class SignOutForm(FlaskForm):
    """Signing out is a POST with a CSRF token, so another site can't sign people out."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[strip_whitespace],
        validators=[DataRequired(), Email(), Length(max=254)],
    )


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Your name as others will see it",
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=80, message="Use up to 80 characters.")],
    )
    email_reminders = BooleanField("Email me a reminder the day before a meeting")
    discreet_calendar = BooleanField(
        "Discreet calendar: call meetings \u201cTuesday meeting\u201d in my calendar"
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        "New email address",
        filters=[strip_whitespace],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    current_password = PasswordField(
        "Your current password", validators=[DataRequired(), Length(max=200)]
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Your current password", validators=[DataRequired(), Length(max=200)]
    )


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        "I understand this can't be undone",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
