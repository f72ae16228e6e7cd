package org.pshmem.api;

import java.util.concurrent.locks.LockSupport;

/**
 * How a rank waits for others without burning a core: spin briefly, then yield, then park for growing
 * intervals up to a ceiling. Yielding is long because ranks usually outnumber cores: a yield hands the core
 * to the rank being waited for. Tunable with the system properties {@code pshmem.backoff.spins},
 * {@code pshmem.backoff.yields}, {@code pshmem.backoff.minParkMicros} and {@code pshmem.backoff.maxParkMicros}.
 * One instance per wait; not thread-safe.
 */
final class Backoff
{
    private static final int SPINS = Integer.getInteger("pshmem.backoff.spins", 10);
    private static final int YIELDS = Integer.getInteger("pshmem.backoff.yields", 5000);
    private static final long MIN_PARK_NANOS = 1_000L * Integer.getInteger("pshmem.backoff.minParkMicros", 1);
    private static final long MAX_PARK_NANOS = 1_000L * Integer.getInteger("pshmem.backoff.maxParkMicros", 1000);

    private int step;
    private long parkNanos = MIN_PARK_NANOS;

    /**
     * Waits a little; each call waits as long as or longer than the one before.
     */
    void idle()
    {
        if (step < SPINS)
        {
            step++;
            Thread.onSpinWait();
        }
        else if (step < SPINS + YIELDS)
        {
            step++;
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
        }
    }

    /**
     * @return true once spinning and yielding are over, when a wait is worth checking on the other ranks.
     */
    boolean parking()
    {
        return step >= SPINS + YIELDS;
    }
}
