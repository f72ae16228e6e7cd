package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a wait treats the interrupt flag: the uninterruptible one parks through it and gives it back, the
 * interruptible one throws.
 */
class BackoffTest
{
    @AfterEach
    void clearFlag()
    {
        Thread.interrupted();
    }

    @Test
    void idleWithTheFlagSetParksAtOnceAndRestoresTheFlag()
    {
        final Backoff backoff = new Backoff();
        Thread.currentThread().interrupt();
        backoff.idle();
        assertFalse(Thread.currentThread().isInterrupted(), "the flag is down during the wait");
        assertTrue(backoff.parking(), "an interrupted waiter goes straight to parking");
        backoff.restoreInterrupt();
        assertTrue(Thread.interrupted(), "the flag is back once the wait is over");
        backoff.restoreInterrupt();
        assertFalse(Thread.currentThread().isInterrupted(), "restored once only");
    }

    @Test
    void idleWithTheFlagSetDoesNotSpin()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Backoff backoff = new Backoff();
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        final long cpuBefore = threads.getCurrentThreadCpuTime();
        Thread.currentThread().interrupt();
        while (System.nanoTime() < end)
        {
            backoff.idle(); // with the flag left up, every park would return at once
        }
        final long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        backoff.restoreInterrupt();
        assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(100), "used " + cpu / 1_000_000 + " ms of CPU in 500 ms");
        assertTrue(Thread.interrupted(), "the flag is back after the wait");
    }

    @Test
    void idleInterruptiblyThrowsAndClearsTheFlag()
    {
        final Backoff backoff = new Backoff();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, backoff::idleInterruptibly);
        assertFalse(Thread.currentThread().isInterrupted(), "cleared, as by java.util.concurrent");
    }

    @Test
    void resetStartsOverButKeepsATakenInterrupt()
    {
        final Backoff backoff = new Backoff();
        Thread.currentThread().interrupt();
        backoff.idle();
        backoff.reset();
        assertFalse(backoff.parking(), "reset starts the schedule again");
        backoff.restoreInterrupt();
        assertTrue(Thread.interrupted(), "the interrupt taken before the reset is still given back");
    }

    @Test
    void aPatientWaitYieldsLessAndItsParksGrowWithTheWait()
    {
        final Backoff patient = Backoff.patient();
        assertTrue(patient.yields() <= 500 && patient.yields() <= new Backoff().yields(), "" + patient.yields());
        final long start = System.nanoTime();
        int wakes = 0;
        while (System.nanoTime() - start < 400_000_000L)
        {
            patient.idle();
            wakes += patient.parking() ? 1 : 0;
        }
        // Parks of at most 1 ms would wake about 400 times in 0.4 s; growing to a sixteenth of the wait, under 150.
        assertTrue(wakes < 150, wakes + " wakes");
        assertTrue(wakes > 5, wakes + " wakes");
    }
}
