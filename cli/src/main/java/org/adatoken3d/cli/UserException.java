package org.adatoken3d.cli;

/** A command's own refusal of what it was asked (options that contradict each other), said in the command's terms. */
final class UserException extends RuntimeException {
    UserException(String message) {
        super(message);
    }
}
