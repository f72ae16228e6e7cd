package org.pshmem.api;

import java.util.concurrent.locks.LockSupport;

import org.pshmem.spi.Setting;

/**
 * How a rank waits for others without burning a core: spin briefly, then yield, then park for growing
 * intervals up to a ceiling. Yielding is long because ranks usually outnumber cores: a yield hands the core
 * to the rank being waited for. Tunable with the system properties {@code pshmem.backoff.spins},
 * {@code pshmem.backoff.yields}, {@code pshmem.backoff.minParkMicros} and {@code pshmem.backoff.maxParkMicros}.
 *
 * <p>Interrupts: {@link #idle()} is for waits that cannot be interrupted. It takes the interrupt flag down
 * (a set flag makes {@code park} return at once, which would turn the wait into a spin), goes straight to
 * parking, and {@link #restoreInterrupt()} puts the flag back when the wait ends. {@link #idleInterruptibly()}
 * throws instead. One instance per wait; not thread-safe.
 */
final class Backoff
{
    private static final int SPINS = Setting.BACKOFF_SPINS.intValue();
    private static final int YIELDS = Setting.BACKOFF_YIELDS.intValue();
    private static final long MIN_PARK_NANOS = 1_000L * Setting.BACKOFF_MIN_PARK_MICROS.intValue();
    private static final long MAX_PARK_NANOS = 1_000L * Setting.BACKOFF_MAX_PARK_MICROS.intValue();
    /** A patient wait's longest park: it wakes at most this late. */
    static final long PATIENT_MAX_PARK_NANOS = 20_000_000L;
    /** A patient wait's park is at most the time it has parked so far over this. */
    static final int PATIENT_SHARE = 16;
    /** A patient wait yields at most this many times: on a busy machine each yield is a switch of context. */
    static final int PATIENT_YIELDS = Math.min(YIELDS, 500);

    private final boolean patient;
    private final int yields;
    private long firstParkNanos;
    private int step;
    private long parkNanos = MIN_PARK_NANOS;
    private boolean interrupted;

    /** A wait whose parks grow to {@code pshmem.backoff.maxParkMicros}. */
    Backoff()
    {
        this(false);
    }

    private Backoff(final boolean patient)
    {
        this.patient = patient;
        this.yields = patient ? PATIENT_YIELDS : YIELDS;
    }

    /**
     * A wait that may last long, such as a {@code barrier()} while one rank computes: once parked, its parks grow
     * past {@code pshmem.backoff.maxParkMicros} to a sixteenth of the time parked so far, at most 20 ms, so a
     * long wait wakes about a hundred times a second or less and ends at most about 6% (and 20 ms) late. It also
     * yields at most 500 times before it parks (a park hands the core on too, and costs no switch while it lasts).
     *
     * @return a new patient wait.
     */
    static Backoff patient()
    {
        return new Backoff(true);
    }

    /**
     * Waits a little, whatever the interrupt flag; each call waits as long as or longer than the one before.
     * Call {@link #restoreInterrupt()} when the wait ends.
     */
    void idle()
    {
        if (Thread.interrupted())
        {
            interrupted = true;
            step = SPINS + yields; // an interrupted waiter parks at once
        }
        pause();
    }

    /**
     * Waits a little, or throws if the thread is interrupted.
     *
     * @throws InterruptedException when the interrupt flag is set (it is cleared, as by java.util.concurrent).
     */
    void idleInterruptibly() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        pause();
    }

    /**
     * {@link #idleInterruptibly()} or {@link #idle()}, as the caller's wait is.
     *
     * @param interruptible whether the wait ends on an interrupt.
     * @throws InterruptedException when {@code interruptible} and the interrupt flag is set.
     */
    void idle(final boolean interruptible) throws InterruptedException
    {
        if (interruptible)
        {
            idleInterruptibly();
        }
        else
        {
            idle();
        }
    }

    /**
     * Sets the interrupt flag again if {@link #idle()} took it down; call once the wait is over.
     */
    void restoreInterrupt()
    {
        if (interrupted)
        {
            interrupted = false;
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the schedule again (after progress), keeping a taken-down interrupt to restore.
     */
    void reset()
    {
        step = 0;
        parkNanos = MIN_PARK_NANOS;
    }

    private void pause()
    {
        if (step < SPINS)
        {
            step++;
            Thread.onSpinWait();
        }
        else if (step < SPINS + yields)
        {
            step++;
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(this, parkNanos);
            parkNanos = Math.min(parkNanos * 2, ceiling());
        }
    }

    /** @return the number of yields before this wait parks. */
    int yields()
    {
        return yields;
    }

    /** @return the longest next park: the setting's, or for a patient wait a share of the time parked so far. */
    private long ceiling()
    {
        if (!patient)
        {
            return MAX_PARK_NANOS;
        }
        final long now = System.nanoTime();
        if (0 == firstParkNanos)
        {
            firstParkNanos = now;
        }
        return Math.max(MAX_PARK_NANOS, Math.min(PATIENT_MAX_PARK_NANOS, (now - firstParkNanos) / PATIENT_SHARE));
    }

    /**
     * @return true once spinning and yielding are over, when a wait is worth checking on the other ranks.
     */
    boolean parking()
    {
        return step >= SPINS + yields;
    }
}
