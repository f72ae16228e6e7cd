package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import mpi.MPIException;

/** {@link MpjCarrier}: where a call runs, what becomes of an interrupt, and what a failed call throws. */
class MpjCarrierTest
{
    @AfterEach
    void noCarrier()
    {
        MpjCarrier.useFor(null);
        Thread.interrupted();
    }

    @Test
    void underNiodevACallRunsOnTheCallersOwnCarrier()
    {
        MpjCarrier.useFor("niodev");
        final Thread caller = Thread.currentThread();
        final Thread first = MpjCarrier.call(Thread::currentThread);
        assertTrue(first != caller && first.getName().equals("pshmem-mpj-carrier-for-" + caller.getName()),
            first.getName());
        assertTrue(first.isDaemon());
        assertSame(first, MpjCarrier.call(Thread::currentThread), "one carrier per caller");
        assertSame(first, MpjCarrier.call(() -> MpjCarrier.call(Thread::currentThread)), "a nested call stays");
    }

    @Test
    void otherDevicesRunCallsOnTheCaller()
    {
        MpjCarrier.useFor("multicore");
        assertSame(Thread.currentThread(), MpjCarrier.call(Thread::currentThread));
    }

    @Test
    void anInterruptNeitherReachesTheCallNorIsLost() throws Exception
    {
        MpjCarrier.useFor("niodev");
        final Thread caller = Thread.currentThread();
        final Thread interrupter = new Thread(() ->
        {
            for (int i = 0; i < 20; i++)
            {
                caller.interrupt();
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        });
        interrupter.start();
        final String done = MpjCarrier.call(() ->
        {
            try
            {
                Thread.sleep(100); // throws if this thread were interrupted
                return "slept";
            }
            catch (final InterruptedException ex)
            {
                return "interrupted";
            }
        });
        interrupter.join();
        assertEquals("slept", done);
        assertTrue(Thread.interrupted(), "the caller's interrupt is kept for it");
    }

    @Test
    void aFailedCallThrowsOnTheCaller()
    {
        MpjCarrier.useFor("niodev");
        final MPIException thrown = assertThrows(MPIException.class, () -> MpjCarrier.call(() ->
        {
            throw new MPIException("no such rank");
        }));
        assertEquals("no such rank", thrown.getMessage());
        assertThrows(IllegalStateException.class, () -> MpjCarrier.call(() ->
        {
            throw new IllegalStateException("bad");
        }));
    }

    @Test
    void aPollThatAnInterruptEndsIsMadeAgain()
    {
        final AtomicInteger tries = new AtomicInteger();
        Thread.currentThread().interrupt();
        final String result = MpjCarrier.poll(() ->
        {
            if (tries.incrementAndGet() < 3)
            {
                throw new MPIException(new InterruptedException());
            }
            return "probed";
        });
        assertEquals("probed", result);
        assertEquals(3, tries.get());
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertThrows(MPIException.class, () -> MpjCarrier.poll(() ->
        {
            throw new MPIException("closed");
        }));
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
