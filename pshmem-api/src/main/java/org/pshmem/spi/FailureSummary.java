package org.pshmem.spi;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.pshmem.api.RankFailedException;

/**
 * How a failed job reads in one screen: one line per rank that did not finish, in rank order, then one stack
 * trace for the job (the first failure's), or every rank's with {@link Setting#ALL_TRACES}. A launcher prints
 * it once, at the end, so the ranks' traces never interleave.
 */
public final class FailureSummary
{
    /** How a trace of pshmem's own exceptions starts (a collective that failed, a rank that failed meanwhile). */
    private static final String PSHMEM_FAILURES = "org.pshmem.api.";

    private FailureSummary()
    {
    }

    /** How a rank ended without finishing. */
    public enum Kind
    {
        /** Its main threw: a cause of the job's end. */
        FAILED,
        /** Ended because another rank failed, or its launcher is gone. */
        STOPPED,
        /** Its process is gone without an outcome. */
        DIED
    }

    /**
     * One rank that did not finish.
     *
     * @param rank  its world rank.
     * @param kind  how it ended.
     * @param text  the failure ({@code String.valueOf} of the exception) or why it was stopped; empty when it died.
     * @param trace its stack trace as printed, or null when it has none.
     */
    public record RankEnd(int rank, Kind kind, String text, String trace)
    {
        /**
         * Checks the parts.
         *
         * @param rank  its world rank.
         * @param kind  how it ended.
         * @param text  the failure or why it was stopped; empty when it died.
         * @param trace its stack trace as printed, or null when it has none.
         */
        public RankEnd
        {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(text, "text");
        }

        /**
         * Returns the rank's line of the summary.
         *
         * @return e.g. {@code pshmem: rank 1 failed: java.lang.IllegalStateException: boom},
         * {@code pshmem: rank 2: stopped because ...} or {@code pshmem: rank 3 ended without finishing}.
         */
        public String line()
        {
            switch (kind)
            {
                case FAILED: return "pshmem: rank " + rank + " failed: " + text;
                case STOPPED: return "pshmem: rank " + rank + ": " + text;
                default: return "pshmem: rank " + rank + " ended without finishing";
            }
        }
    }

    /**
     * Returns the failure of another rank among a rank's failure and its causes: such a rank did not fail of
     * itself, it was stopped by the other's failure.
     *
     * @param failure what the rank threw.
     * @param rank    the rank's world rank.
     * @return the {@link RankFailedException} naming a rank other than {@code rank}, or null.
     */
    public static RankFailedException causedByAnother(final Throwable failure, final int rank)
    {
        for (Throwable cause = failure; null != cause; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            if (cause instanceof RankFailedException && ((RankFailedException)cause).failedRank() != rank)
            {
                return (RankFailedException)cause;
            }
        }
        return null;
    }

    /**
     * Returns a throwable's stack trace as {@link Throwable#printStackTrace()} prints it.
     *
     * @param failure the throwable.
     * @return its stack trace, with its causes and suppressed ones.
     */
    public static String traceOf(final Throwable failure)
    {
        final StringWriter trace = new StringWriter();
        try (PrintWriter writer = new PrintWriter(trace))
        {
            failure.printStackTrace(writer);
        }
        return trace.toString();
    }

    /**
     * Returns the summary: one line per rank, in rank order, then the stack trace of {@code firstRank} (or, when
     * it has none, of the lowest rank whose failure is not one of pshmem's own exceptions, else of the lowest rank
     * with one), or of every rank that has one when {@code allTraces}.
     *
     * @param ends      the ranks that did not finish.
     * @param firstRank the rank whose trace stands for the job, such as the first to fail; -1 for the lowest.
     * @param allTraces true to print every trace.
     * @return the text, ending with a new line; empty when {@code ends} is.
     */
    public static String text(final List<RankEnd> ends, final int firstRank, final boolean allTraces)
    {
        final List<RankEnd> byRank = ends.stream().sorted(Comparator.comparingInt(RankEnd::rank)).toList();
        final StringBuilder text = new StringBuilder();
        byRank.forEach(end -> text.append(end.line()).append('\n'));
        final List<RankEnd> traced = byRank.stream().filter(end -> null != end.trace()).toList();
        if (allTraces)
        {
            traced.forEach(end -> appendTrace(text, "pshmem: stack trace of rank " + end.rank() + ":", end.trace()));
        }
        else if (!traced.isEmpty())
        {
            // Without a known first failure: the lowest rank whose own program threw, before ranks that failed
            // because of it (a mismatch with its close() on the way out, a rank it took down).
            final RankEnd first = traced.stream().filter(end -> end.rank() == firstRank).findFirst()
                .or(() -> traced.stream().filter(end -> !end.trace().startsWith(PSHMEM_FAILURES)).findFirst())
                .orElse(traced.get(0));
            appendTrace(text, "pshmem: stack trace of rank " + first.rank() + (traced.size() > 1 ?
                " (every rank's with " + Setting.ALL_TRACES.sources() + "=true):" : ":"), first.trace());
        }
        return text.toString();
    }

    private static void appendTrace(final StringBuilder text, final String headline, final String trace)
    {
        text.append(headline).append('\n').append(trace);
        if (!trace.endsWith("\n"))
        {
            text.append('\n');
        }
    }
}
