package org.pshmem.mpi;

/**
 * MPI's thread support levels, in increasing order of support. Their codes are the library's
 * ({@code MPI_THREAD_SINGLE} to {@code MPI_THREAD_MULTIPLE}, checked against {@code mpi.h} by a test).
 */
public enum ThreadLevel
{
    /** Only one thread runs in the process. */
    SINGLE(0),
    /** Only the thread that initialised MPI calls it. */
    FUNNELED(1),
    /** Any thread calls MPI, one at a time. */
    SERIALIZED(2),
    /** Any thread calls MPI at any time. */
    MULTIPLE(3);

    private final int code;

    ThreadLevel(final int code)
    {
        this.code = code;
    }

    /**
     * @return the library's code for this level.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code a code the library returned.
     * @return its level.
     * @throws IllegalArgumentException when the code is no level's.
     */
    public static ThreadLevel of(final int code)
    {
        for (final ThreadLevel level : values())
        {
            if (level.code == code)
            {
                return level;
            }
        }
        throw new IllegalArgumentException("no MPI thread level has code " + code);
    }
}
