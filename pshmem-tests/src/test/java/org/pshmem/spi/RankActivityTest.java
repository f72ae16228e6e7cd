package org.pshmem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.pshmem.api.ReduceOp;

/**
 * {@link RankActivity}: the collective a rank entered is read back with its fingerprint's text and its start,
 * until the rank leaves it.
 */
class RankActivityTest
{
    @Test
    void aRankInNoCollectiveHasNoWait()
    {
        assertEquals(Optional.empty(), new RankActivity().waiting());
    }

    @Test
    void theCollectiveEnteredIsReadBackUntilLeft()
    {
        final RankActivity activity = new RankActivity();
        final long before = System.currentTimeMillis();
        activity.enter(Fingerprint.of(17, Fingerprint.Collective.BARRIER), "the world communicator");
        final long after = System.currentTimeMillis();
        final RankActivity.Waiting waiting = activity.waiting().orElseThrow();
        assertEquals("barrier() (step 17) on the world communicator", waiting.call());
        assertTrue(waiting.sinceMillis() >= before && waiting.sinceMillis() <= after, waiting.toString());
        activity.exit();
        assertEquals(Optional.empty(), activity.waiting());
    }

    @Test
    void theNextCollectiveReplacesTheLastOne()
    {
        final RankActivity activity = new RankActivity();
        activity.enter(Fingerprint.of(0, Fingerprint.Collective.BARRIER), "the world communicator");
        activity.exit();
        activity.enter(Fingerprint.allReduce(1, new int[1], 1, ReduceOp.SUM), "the communicator of world ranks 0-1");
        assertEquals("allReduce(int, SUM) (step 1) on the communicator of world ranks 0-1",
            activity.waiting().orElseThrow().call());
    }

    @Test
    void aCallInsideAnotherLeavesTheOuterRecorded()
    {
        final RankActivity activity = new RankActivity();
        activity.enterArrayCall("set() on array 2", "the world communicator");
        activity.enter(Fingerprint.allReduce(0, new long[16], 16, ReduceOp.MIN), "the node leaders");
        assertEquals("set() on array 2 on the world communicator", activity.waiting().orElseThrow().call());
        activity.exit();
        assertEquals("set() on array 2 on the world communicator", activity.waiting().orElseThrow().call());
        activity.exit();
        assertTrue(activity.waiting().isEmpty());
        activity.exit(); // one exit too many is ignored
        activity.enter(Fingerprint.of(1, Fingerprint.Collective.BARRIER), "the world communicator");
        assertEquals("barrier() (step 1) on the world communicator", activity.waiting().orElseThrow().call());
    }
}
