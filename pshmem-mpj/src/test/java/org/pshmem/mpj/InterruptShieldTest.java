package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interrupt flag is down while MPJ runs and back after, with interrupts that came meanwhile.
 */
class InterruptShieldTest
{
    @AfterEach
    void clearFlag()
    {
        Thread.interrupted();
    }

    @Test
    void flagIsDownInsideAndBackAfter()
    {
        Thread.currentThread().interrupt();
        final InterruptShield shield = InterruptShield.raise();
        assertFalse(Thread.currentThread().isInterrupted(), "down while shielded");
        shield.lower();
        assertTrue(Thread.interrupted(), "back after");
    }

    @Test
    void noFlagBeforeAndNoneMeanwhileLeavesNone()
    {
        final InterruptShield shield = InterruptShield.raise();
        shield.park(1_000);
        shield.lower();
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void anInterruptDuringAParkIsKeptAndDoesNotEndLaterParks()
    {
        final InterruptShield shield = InterruptShield.raise();
        Thread.currentThread().interrupt();
        shield.park(TimeUnit.SECONDS.toNanos(10)); // returns at once: the interrupt ends this park
        assertFalse(Thread.currentThread().isInterrupted(), "taken down again after the park");
        final long start = System.nanoTime();
        shield.park(TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(40), "the next park parks");
        shield.lower();
        assertTrue(Thread.interrupted(), "the interrupt is given back");
    }
}
