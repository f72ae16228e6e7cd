package org.pshmem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BenchGoalsTest
{
    private static final List<String> OURS = List.of(
        "pshmem: benchmark: 4 ranks",
        "set_small_us 12.5 us/set",
        "set_small_us 40 us/set (8 ranks)",
        "alloc_free_per_s 25000 arrays/s",
        "barrier_wait_cores 0.05 cores (a rank waiting 1 s in a barrier)",
        "jmh_viewSum/plainArraySum 0.8500 ratio");

    @Test
    void theFirstLineOfANameCountsAndOtherLinesAreIgnored()
    {
        final Map<String, Double> figures = BenchGoals.figures(OURS);
        assertEquals(12.5, figures.get("set_small_us"));
        assertEquals(0.85, figures.get("jmh_viewSum/plainArraySum"));
        assertEquals(4, figures.size(), figures.toString());
    }

    @Test
    void fixedGoalsAreJudgedAndPeerGoalsWaitForThePeer()
    {
        final List<String> lines = BenchGoals.report(BenchGoals.figures(OURS), Optional.empty());
        assertTrue(line(lines, "alloc_free_per_s", ">= 20000").endsWith("met"), lines.toString());
        assertTrue(line(lines, "barrier_wait_cores", "<= 0.02").endsWith("not met, by 0.03"), lines.toString());
        final int missed = lines.indexOf(line(lines, "barrier_wait_cores", "<= 0.02"));
        assertTrue(lines.get(missed + 1).startsWith("    why: the figure's line splits it by thread"), lines.toString());
        final int met = lines.indexOf(line(lines, "alloc_free_per_s", ">= 20000"));
        assertTrue(lines.get(met + 1).startsWith("  "), "no why after a goal met: " + lines);
        assertTrue(!lines.get(met + 1).startsWith("    why"), "no why after a goal met: " + lines);
        assertTrue(line(lines, "jmh_viewSum/plainArraySum", ">= 0.9").endsWith("not met, by 0.05"),
            lines.toString());
        assertTrue(line(lines, "set_small_us", "<= 0.5 x the peer").endsWith("peer not measured"), lines.toString());
        assertTrue(line(lines, "memory_copies_per_node", "<= 1.05").endsWith("not measured in this run"),
            lines.toString());
    }

    @Test
    void everyWhyLineBelongsToAGoal()
    {
        for (final String figure : BenchGoals.WHY_MISSED.keySet())
        {
            assertTrue(BenchGoals.GOALS.stream().anyMatch(goal -> goal.figure().equals(figure)),
                "a why line for " + figure + ", which no goal judges");
        }
    }

    @Test
    void peerGoalsAreMultiplesOfThePeersFigureOfTheSameSitting()
    {
        final List<String> lines = BenchGoals.report(BenchGoals.figures(OURS),
            Optional.of(BenchGoals.figures(List.of("set_small_us 30 us/set", "alloc_free_per_s 30000 arrays/s"))));
        assertTrue(line(lines, "set_small_us", "<= 0.5 x the peer").endsWith("met (peer 30, bound 15)"),
            lines.toString());
        assertTrue(line(lines, "alloc_free_per_s", ">= the peer").endsWith("not met, by 5000 (peer 30000, bound 30000)"),
            lines.toString());
        assertTrue(line(lines, "lock_acq_per_s", ">= 5 x the peer").endsWith("not measured in this run"),
            lines.toString());
    }

    @Test
    void aGoalMayBeJudgedAgainstAnotherFigureOfThePeer()
    {
        final List<String> lines = BenchGoals.report(
            BenchGoals.figures(List.of("read_sum_reduction_GBps_per_rank 8 GB/s")),
            Optional.of(BenchGoals.figures(List.of("read_sum_GBps_per_rank 7.5 GB/s"))));
        assertTrue(line(lines, "read_sum_reduction_GBps_per_rank", ">= the peer").endsWith("met (peer 7.5, bound 7.5)"),
            lines.toString());
    }

    private static String line(final List<String> lines, final String figure, final String goal)
    {
        return lines.stream().filter(l -> l.trim().startsWith(figure + " ") && l.contains("goal " + goal))
            .findFirst().orElseThrow(() -> new AssertionError("no line for " + figure + " " + goal + ": " + lines));
    }
}
