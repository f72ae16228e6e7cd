package org.pshmem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * {@link HangReport}: one line per rank in rank order, naming each rank's call, since when (UTC wall clock and
 * seconds ago), or what it does instead; reported when a rank has waited the stretch, once per stall.
 */
class HangReportTest
{
    /** 2026-11-27 16:38:59.500 UTC. */
    private static final long T0 = 1_795_797_539_500L;

    private static List<HangReport.Place> places()
    {
        return List.of(
            HangReport.Place.elsewhere(3, HangReport.State.RETURNED),
            HangReport.Place.in(1, new RankActivity.Waiting("allReduce(int, SUM) (step 1)", T0 + 200)),
            HangReport.Place.in(0, new RankActivity.Waiting("barrier() (step 1)", T0)),
            HangReport.Place.of(2, Optional.empty()),
            HangReport.Place.elsewhere(4, HangReport.State.FAILED));
    }

    @Test
    void everyRankHasOneLineInRankOrder()
    {
        assertEquals(String.join("\n",
            "headline",
            "pshmem:   rank 0: in barrier() (step 1) since 16:38:59 UTC (62 s ago)",
            "pshmem:   rank 1: in allReduce(int, SUM) (step 1) since 16:38:59 UTC (61 s ago)",
            "pshmem:   rank 2: running, not in a collective",
            "pshmem:   rank 3: returned",
            "pshmem:   rank 4: failed"),
            HangReport.text("headline", places(), T0 + 62_000));
    }

    @Test
    void theLongestWaitIsTheEarliestStart()
    {
        assertEquals(0, HangReport.longestWait(places()).orElseThrow().rank());
        assertEquals(Optional.empty(), HangReport.longestWait(List.of(
            HangReport.Place.elsewhere(0, HangReport.State.RUNNING))));
    }

    @Test
    void aStallIsReportedOnceTheStretchHasPassedAndOnlyOnce()
    {
        final HangReport hangs = new HangReport(60_000);
        assertEquals(Optional.empty(), hangs.poll(places(), T0 + 59_999), "not yet a stretch");
        final String report = hangs.poll(places(), T0 + 60_000).orElseThrow();
        assertTrue(report.startsWith("pshmem: the job has not moved for 60 s (rank 0 waits in barrier() (step 1)); " +
            "where every rank is:\n"), report);
        assertTrue(report.contains("\npshmem:   rank 2: running, not in a collective"), report);
        assertEquals(Optional.empty(), hangs.poll(places(), T0 + 120_000), "the same stall again");
        final List<HangReport.Place> later = List.of(
            HangReport.Place.in(0, new RankActivity.Waiting("barrier() (step 2)", T0 + 200_000)));
        assertEquals(Optional.empty(), hangs.poll(later, T0 + 200_000), "moved on: a new wait, not yet a stretch");
        assertTrue(hangs.poll(later, T0 + 260_000).orElseThrow().contains("rank 0: in barrier() (step 2)"),
            "a new stall is reported");
    }

    @Test
    void aStretchOfZeroNeverReports()
    {
        assertEquals(Optional.empty(), new HangReport(0).poll(places(), T0 + 1_000_000));
    }

    @Test
    void aPlaceHasACollectiveExactlyWhenItIsInOne()
    {
        assertThrows(IllegalArgumentException.class, () ->
            new HangReport.Place(0, HangReport.State.RUNNING, new RankActivity.Waiting("barrier() (step 0)", T0)));
        assertThrows(IllegalArgumentException.class, () ->
            new HangReport.Place(0, HangReport.State.IN_COLLECTIVE, null));
    }
}
