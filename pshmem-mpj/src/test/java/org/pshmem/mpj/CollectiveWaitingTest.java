package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code collectiveWaiting(step)} under MPJ ({@link CollectiveWaitingProbe}): the first message of a collective's
 * barrier, with its step's parity in the tag, tells a rank waiting in a barrier made elsewhere that a collective of
 * the same step waits for it, and not one of the next step.
 */
class CollectiveWaitingTest
{
    @ParameterizedTest
    @ValueSource(strings = {"niodev", "multicore"})
    void aCollectiveOfTheBarriersStepIsSeenAndOneOfTheNextIsNot(final String device)
    {
        final MpjJobs.Result result = MpjJobs.run(List.of("-np", "3", "--device", device, "--timeout", "120"),
            CollectiveWaitingProbe.class.getName());
        assertEquals(0, result.status(), result.both());
        for (int rank = 0; rank < 3; rank++)
        {
            assertTrue(result.out().contains("PROBE-OK " + rank), result.both());
        }
    }

    /** allReduceUnless leaves the barrier it starts with when told, and the job still ends, normally. */
    @ParameterizedTest
    @ValueSource(strings = {"niodev", "multicore"})
    void anAllReduceGivesWayAndTheJobEnds(final String device)
    {
        final MpjJobs.Result result = MpjJobs.run(List.of("-np", "3", "--device", device, "--timeout", "120"),
            CollectiveWaitingProbe.class.getName(), "giveWay");
        assertEquals(0, result.status(), result.both());
        for (int rank = 0; rank < 3; rank++)
        {
            assertTrue(result.out().contains("PROBE-OK " + rank), result.both());
        }
    }
}
