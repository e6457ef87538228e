package io.barmand.error;

/** The one exception type of barmand: a message for humans and a {@link Category} for machines. */
public class BarmandException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Category category;

    public BarmandException(Category category, String message) {
        super(message);
        this.category = category;
    }

    public BarmandException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public Category category() {
        return category;
    }

    public int exitCode() {
        return category.exitCode();
    }
}
