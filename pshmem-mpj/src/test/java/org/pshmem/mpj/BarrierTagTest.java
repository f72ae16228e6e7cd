package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Communicator;

/**
 * The tags of the barrier every collective starts with carry the step's parity, so a rank waiting in a barrier
 * made elsewhere at step s can tell a collective of step s that waits for it from the next collective (step
 * s + 1) of a rank that already left that barrier; and they stay clear of user tags and of the mismatch rounds.
 */
class BarrierTagTest
{
    @Test
    void everyRoundOfBothParitiesHasATagOfItsOwnBetweenTheBarrierAndTheMismatchTags()
    {
        final Set<Integer> tags = new HashSet<>();
        for (int round = 0; round < 31; round++) // a communicator has fewer than 2^31 ranks
        {
            for (long step = 0; step < 2; step++)
            {
                final int tag = MpjEndpoint.barrierTag(round, step);
                assertTrue(tag >= MpjEndpoint.BARRIER_TAG && tag < MpjEndpoint.MISMATCH_TAG, "tag " + tag);
                assertTrue(tag > Communicator.MAX_TAG, "tag " + tag);
                assertTrue(tags.add(tag), "tag " + tag + " twice");
            }
        }
    }

    @Test
    void theFirstRoundTellsAStepFromTheNextAndNotFromTheOneAfter()
    {
        for (final long step : new long[] {0, 1, 2, 41, Long.MAX_VALUE - 2})
        {
            assertNotEquals(MpjEndpoint.barrierTag(0, step), MpjEndpoint.barrierTag(0, step + 1), "step " + step);
            // Two steps apart cannot meet: each collective needs every rank, so no rank is two steps ahead.
            assertEquals(MpjEndpoint.barrierTag(0, step), MpjEndpoint.barrierTag(0, step + 2), "step " + step);
        }
    }
}
