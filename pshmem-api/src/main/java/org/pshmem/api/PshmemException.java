package org.pshmem.api;

/**
 * A failure of a pshmem operation. Collective operations throw it on every rank that took part,
 * with the same message, so that no rank is left waiting for another that gave up.
 */
public class PshmemException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception with its message.
     *
     * @param message what went wrong, naming the rank where it was detected.
     */
    public PshmemException(final String message)
    {
        super(message);
    }

    /**
     * Makes the exception with its message and the failure that caused it.
     *
     * @param message what went wrong, naming the rank where it was detected.
     * @param cause   the underlying failure.
     */
    public PshmemException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
