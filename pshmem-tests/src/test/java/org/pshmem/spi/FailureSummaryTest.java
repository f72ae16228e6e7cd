package org.pshmem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link FailureSummary}: one line per rank in rank order, then one stack trace (the first failure's), or
 * every rank's when asked.
 */
class FailureSummaryTest
{
    private static List<FailureSummary.RankEnd> ends()
    {
        return List.of(
            new FailureSummary.RankEnd(3, FailureSummary.Kind.DIED, "", null),
            new FailureSummary.RankEnd(2, FailureSummary.Kind.FAILED, "java.lang.IllegalStateException: two",
                "java.lang.IllegalStateException: two\n\tat Two.main(Two.java:2)\n"),
            new FailureSummary.RankEnd(0, FailureSummary.Kind.STOPPED, "stopped because rank 1 failed", null),
            new FailureSummary.RankEnd(1, FailureSummary.Kind.FAILED, "java.lang.IllegalStateException: one",
                "java.lang.IllegalStateException: one\n\tat One.main(One.java:1)"));
    }

    @Test
    void oneLinePerRankThenTheFirstFailuresTrace()
    {
        assertEquals(String.join("\n",
            "pshmem: rank 0: stopped because rank 1 failed",
            "pshmem: rank 1 failed: java.lang.IllegalStateException: one",
            "pshmem: rank 2 failed: java.lang.IllegalStateException: two",
            "pshmem: rank 3 ended without finishing",
            "pshmem: stack trace of rank 2 (every rank's with pshmem.allTraces or PSHMEM_ALL_TRACES=true):",
            "java.lang.IllegalStateException: two",
            "\tat Two.main(Two.java:2)",
            ""), FailureSummary.text(ends(), 2, false));
    }

    @Test
    void withoutAFirstRankTheLowestTracedRankStandsForTheJob()
    {
        final String text = FailureSummary.text(ends(), -1, false);
        assertTrue(text.endsWith("pshmem: stack trace of rank 1 (every rank's with pshmem.allTraces or " +
            "PSHMEM_ALL_TRACES=true):\njava.lang.IllegalStateException: one\n\tat One.main(One.java:1)\n"), text);
        assertEquals(1, text.split("stack trace of", -1).length - 1, text);
    }

    /**
     * A rank whose program threw inside try-with-resources closes a lock on the way out, and the other ranks fail
     * with the mismatch it causes: without a known first failure, its trace stands for the job, not rank 0's.
     */
    @Test
    void withoutAFirstRankTheProgramsOwnFailureGoesBeforePshmemsReactions()
    {
        final List<FailureSummary.RankEnd> ends = List.of(
            new FailureSummary.RankEnd(0, FailureSummary.Kind.FAILED, "mismatch",
                "org.pshmem.api.PshmemException: collectives do not match\n\tat Zero.main(Zero.java:1)\n"),
            new FailureSummary.RankEnd(1, FailureSummary.Kind.FAILED, "boom",
                "java.lang.IllegalStateException: boom\n\tat One.main(One.java:1)\n"),
            new FailureSummary.RankEnd(2, FailureSummary.Kind.FAILED, "gone",
                "org.pshmem.api.RankFailedException: rank 1 failed\n\tat Two.main(Two.java:1)\n"));
        final String text = FailureSummary.text(ends, -1, false);
        assertTrue(text.contains("pshmem: stack trace of rank 1 (every rank's"), text);
        assertTrue(text.endsWith("java.lang.IllegalStateException: boom\n\tat One.main(One.java:1)\n"), text);
        // Only pshmem's own: the lowest rank, as before.
        final String ours = FailureSummary.text(List.of(ends.get(2), ends.get(0)), -1, false);
        assertTrue(ours.contains("pshmem: stack trace of rank 0 (every rank's"), ours);
    }

    @Test
    void everyTraceWhenAsked()
    {
        final String text = FailureSummary.text(ends(), 2, true);
        assertTrue(text.contains("pshmem: stack trace of rank 1:\njava.lang.IllegalStateException: one\n\tat " +
            "One.main(One.java:1)\npshmem: stack trace of rank 2:\njava.lang.IllegalStateException: two\n"), text);
        assertEquals(2, text.split("stack trace of", -1).length - 1, text);
    }

    @Test
    void aLoneTraceNeedsNoHintAndNoEndsNoText()
    {
        assertEquals("pshmem: rank 0 failed: x\npshmem: stack trace of rank 0:\nx\n", FailureSummary.text(
            List.of(new FailureSummary.RankEnd(0, FailureSummary.Kind.FAILED, "x", "x")), -1, false));
        assertEquals("", FailureSummary.text(List.of(), -1, false));
    }

    @Test
    void aTraceIsWhatPrintStackTracePrints()
    {
        final Exception failure = new IllegalStateException("boom", new RuntimeException("cause"));
        final String trace = FailureSummary.traceOf(failure);
        assertTrue(trace.startsWith("java.lang.IllegalStateException: boom\n\tat "), trace);
        assertTrue(trace.contains("Caused by: java.lang.RuntimeException: cause"), trace);
    }
}
