package org.pshmem.api;

/**
 * Thrown on a rank that waits for another rank which has failed or finished without taking part.
 * The message and {@link #failedRank()} name the rank at fault (its rank in the world).
 */
public final class RankFailedException extends PshmemException
{
    /** Version of the serialised form. */
    private static final long serialVersionUID = 1L;

    /** World rank of the rank at fault. */
    private final int failedRank;

    /**
     * Makes the exception, naming the rank at fault.
     *
     * @param failedRank world rank of the rank at fault.
     * @param message    what happened to it.
     * @param cause      its failure, when known in this process; may be null.
     */
    public RankFailedException(final int failedRank, final String message, final Throwable cause)
    {
        super(message, cause);
        this.failedRank = failedRank;
    }

    /**
     * Returns the world rank of the rank that failed or left.
     *
     * @return world rank of the rank that failed or left.
     */
    public int failedRank()
    {
        return failedRank;
    }
}
