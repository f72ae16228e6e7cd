package org.pshmem.spi;

import java.util.Optional;

/**
 * The collective one rank is in now, and since when: set by the transport when the rank enters a collective,
 * cleared when it leaves, read by whoever reports a job that stopped moving ({@link HangReport}). One per rank,
 * owned by the rank's transport session; entering costs a clock read and three volatile writes, and no I/O.
 *
 * <p>Written by the rank's own thread only; read by any thread (a launcher's or a watchdog's). A reader sees a
 * rank that stays in its call exactly; one that moves on while it is read may show its next call's start, which
 * the next read puts right.
 */
public final class RankActivity
{
    private volatile Fingerprint call;
    private volatile String communicator;
    private volatile long sinceMillis;

    /**
     * A collective a rank is in.
     *
     * @param call        the call and its communicator, such as
     *                    {@code barrier() (step 17) on the world communicator}.
     * @param sinceMillis when it entered it, in milliseconds since the epoch.
     */
    public record Waiting(String call, long sinceMillis)
    {
    }

    /**
     * Makes the activity of a rank that is in no collective.
     */
    public RankActivity()
    {
    }

    /**
     * Records that the rank enters a collective; collectives of one rank do not nest.
     *
     * @param print        the collective's fingerprint.
     * @param communicator names the communicator, such as {@code the world communicator}.
     */
    public void enter(final Fingerprint print, final String communicator)
    {
        sinceMillis = System.currentTimeMillis();
        this.communicator = communicator;
        call = print; // written last: a reader that sees the call sees its time and communicator
    }

    /**
     * Records that the rank left its collective, done or failed.
     */
    public void exit()
    {
        call = null;
    }

    /**
     * Returns the collective the rank is in now, and since when.
     *
     * @return the collective and its start, or empty when the rank is in none.
     */
    public Optional<Waiting> waiting()
    {
        Fingerprint before = call;
        while (null != before)
        {
            final long since = sinceMillis;
            final String on = communicator;
            final Fingerprint after = call;
            if (after == before)
            {
                return Optional.of(new Waiting(before + " on " + on, since));
            }
            before = after; // the rank moved on between the two reads: read again
        }
        return Optional.empty();
    }
}
