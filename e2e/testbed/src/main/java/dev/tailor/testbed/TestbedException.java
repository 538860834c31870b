package dev.tailor.testbed;

/**
 * A test bed set-up problem, with a message that says what to do about it. It carries no stack
 * trace of its own: the message is the whole story for whoever reads the build output.
 */
public class TestbedException extends RuntimeException {
  public TestbedException(String message) {
    super(message, null, false, false);
  }

  public TestbedException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
