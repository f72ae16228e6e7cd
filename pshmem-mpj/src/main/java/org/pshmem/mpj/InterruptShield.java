package org.pshmem.mpj;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a thread's interrupt away from MPJ Express for the length of a call: {@link #raise()} takes the flag
 * down, {@link #lower()} puts it back, with any interrupt that came meanwhile. One per call, on the calling
 * thread.
 */
final class InterruptShield
{
    private boolean interrupted;

    private InterruptShield(final boolean interrupted)
    {
        this.interrupted = interrupted;
    }

    /**
     * @return a shield over the calling thread, which has its interrupt flag cleared until {@link #lower()}.
     */
    static InterruptShield raise()
    {
        return new InterruptShield(Thread.interrupted());
    }

    /**
     * Parks the thread (a wait between two MPJ calls); an interrupt ends the park early and is kept for
     * {@link #lower()}, so it does not turn the wait into a spin.
     *
     * @param nanos longest park.
     */
    void park(final long nanos)
    {
        LockSupport.parkNanos(this, nanos);
        interrupted |= Thread.interrupted();
    }

    /**
     * @return true when the thread was interrupted before or during the shield (such a waiter parks, and never
     * spins or yields).
     */
    boolean interrupted()
    {
        interrupted |= Thread.interrupted();
        return interrupted;
    }

    /**
     * Sets the interrupt flag again if it was set at {@link #raise()} or came since.
     */
    void lower()
    {
        if (interrupted || Thread.interrupted())
        {
            Thread.currentThread().interrupt();
        }
    }
}
