package org.pshmem.mpi;

import java.util.Objects;

/**
 * Checks for the main of a rank that {@code mpirun} starts, outside JUnit: a failed check throws
 * {@link AssertionError}, and the passed ones are counted so that the rank can say how many it made. One count
 * per JVM, which is one rank.
 */
final class RankChecks
{
    private static int passed;

    private RankChecks()
    {
    }

    /**
     * @param what what must hold, for the failure message.
     * @param ok   whether it holds.
     */
    static void check(final String what, final boolean ok)
    {
        if (!ok)
        {
            throw new AssertionError(what);
        }
        passed++;
    }

    /**
     * @param what     what is compared, for the failure message.
     * @param expected the value expected.
     * @param actual   the value found.
     */
    static void equal(final String what, final Object expected, final Object actual)
    {
        if (!Objects.equals(expected, actual))
        {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
        passed++;
    }

    /** Counts a check the caller made itself, such as a call that threw as it had to. */
    static void passed()
    {
        passed++;
    }

    /**
     * @return how many checks passed in this JVM.
     */
    static int count()
    {
        return passed;
    }
}
