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
    private volatile Object call; // a Fingerprint, or the text of an array call
    private volatile String communicator;
    private volatile long sinceMillis;
    private int depth; // the rank's thread only: calls made inside another (a set()'s leaders' exchange)

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
     * Records that the rank enters a collective; a collective made inside another (such as the node leaders'
     * exchange inside {@code set()}) leaves the outer one recorded.
     *
     * @param print        the collective's fingerprint.
     * @param communicator names the communicator, such as {@code the world communicator}.
     */
    public void enter(final Fingerprint print, final String communicator)
    {
        record(print, communicator);
    }

    /**
     * Records that the rank enters an array collective, which waits in node memory.
     *
     * @param call         the call, such as {@code set() on array 2}.
     * @param communicator names the array's communicator.
     */
    public void enterArrayCall(final String call, final String communicator)
    {
        record(call, communicator);
    }

    private void record(final Object what, final String on)
    {
        if (depth++ == 0)
        {
            sinceMillis = System.currentTimeMillis();
            communicator = on;
            call = what; // written last: a reader that sees the call sees its time and communicator
        }
    }

    /**
     * Records that the rank left its collective, done or failed; each {@code enter} is followed by one
     * {@code exit}.
     */
    public void exit()
    {
        if (depth > 0 && --depth == 0)
        {
            call = null;
        }
    }

    /**
     * Returns the collective the rank is in now, and since when.
     *
     * @return the collective and its start, or empty when the rank is in none.
     */
    public Optional<Waiting> waiting()
    {
        Object before = call;
        while (null != before)
        {
            final long since = sinceMillis;
            final String on = communicator;
            final Object after = call;
            if (after == before)
            {
                return Optional.of(new Waiting(before + " on " + on, since));
            }
            before = after; // the rank moved on between the two reads: read again
        }
        return Optional.empty();
    }
}
