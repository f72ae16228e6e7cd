package org.pshmem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pshmem.api.ElementType;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.Fingerprint.Collective;

/** Fingerprints: what travels between ranks, what matches, and the messages naming every rank's call. */
class FingerprintTest
{
    @Test
    void decodeGivesBackWhatWasSent()
    {
        final List<Fingerprint> prints = List.of(Fingerprint.of(3, Collective.BARRIER),
            Fingerprint.broadcast(4, new double[9], 9, 1_000_000), Fingerprint.allReduce(5, new long[2], 2, ReduceOp.MAX),
            Fingerprint.of(6, Collective.ALL_GATHER, new byte[0], 0), Fingerprint.of(7, Collective.OBJECT_BARRIER));
        for (final Fingerprint print : prints)
        {
            assertEquals(print, Fingerprint.decode(print.step(), print.code(), print.shape()));
        }
        assertEquals(new Fingerprint(0, Collective.ALL_REDUCE, ElementType.INT32, ReduceOp.SUM, -1, -1),
            Fingerprint.decode(0, Fingerprint.callCode(Collective.ALL_REDUCE, new int[1], ReduceOp.SUM), 0));
    }

    @Test
    void countRootStepAndCallAllTakePart()
    {
        final Fingerprint print = Fingerprint.broadcast(1, new int[3], 3, 0);
        assertTrue(print.matches(Fingerprint.broadcast(1, new int[3], 3, 0)));
        assertFalse(print.matches(Fingerprint.broadcast(1, new int[4], 4, 0)));
        assertFalse(print.matches(Fingerprint.broadcast(1, new int[3], 3, 1)));
        assertFalse(print.matches(Fingerprint.broadcast(2, new int[3], 3, 0)));
        assertFalse(print.matches(Fingerprint.broadcast(1, new long[3], 3, 0)));
    }

    @Test
    void differentCallsAreListedByRank()
    {
        final Fingerprint[] byRank = {Fingerprint.of(17, Collective.BARRIER),
            Fingerprint.allReduce(17, new int[1], 1, ReduceOp.SUM), Fingerprint.allReduce(17, new int[1], 1, ReduceOp.SUM)};
        assertEquals("collectives do not match at step 17 of the world communicator: rank 0 called barrier(), " +
            "ranks 1-2 called allReduce(int, SUM)", Fingerprint.mismatch("the world communicator", 2, byRank)
            .getMessage());
        final Fingerprint[] apart = {Fingerprint.of(3, Collective.BARRIER), Fingerprint.of(4, Collective.OBJECT_BARRIER)};
        assertEquals("collectives do not match at step 3 or later of c: rank 0 called barrier() (step 3), rank 1 " +
            "called the creation or close() of a lock, counter, semaphore or condition (step 4)",
            Fingerprint.mismatch("c", 0, apart).getMessage());
    }

    @Test
    void countsAloneAreNamedAgainstTheRootOrRankZero()
    {
        final Fingerprint[] broadcast = {Fingerprint.broadcast(0, new double[2], 2, 1),
            Fingerprint.broadcast(0, new double[1], 1, 1), Fingerprint.broadcast(0, new double[1], 1, 1)};
        assertEquals("broadcast() on rank 2: root 1 sends 1 double elements but rank 0 passed 2 double elements",
            Fingerprint.mismatch("w", 2, broadcast).getMessage());
        final Fingerprint[] gather = {Fingerprint.of(0, Collective.ALL_GATHER, new int[1], 1),
            Fingerprint.of(0, Collective.ALL_GATHER, new int[1], 1), Fingerprint.of(0, Collective.ALL_GATHER, new int[3], 3)};
        assertEquals("allGather() on rank 0: rank 0 contributes 1 int elements but rank 2 passed 3 int elements",
            Fingerprint.mismatch("w", 0, gather).getMessage());
    }

    @Test
    void ranksAreShortenedToRuns()
    {
        assertEquals("rank 4", Fingerprint.ranks(List.of(4)));
        assertEquals("ranks 0, 2, 5-7", Fingerprint.ranks(List.of(0, 2, 5, 6, 7)));
    }
}
