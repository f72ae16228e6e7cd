package org.pshmem.spi;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where every rank of a job is, in one line per rank, for a job that stopped moving or ran out of time: the
 * collective each rank waits in and since when, or what it does instead. A launcher gathers the {@link Place}s
 * (from its ranks' {@link RankActivity}, or from marks they left) and prints {@link #text(String, List, long)};
 * one instance watches a job and says when to print ({@link #poll(List, long)}): when a rank has waited in one
 * collective for the stretch ({@link Setting#HANG_REPORT_SECONDS}), once per stall.
 */
public final class HangReport
{
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** What a rank does, as a report names it. */
    public enum State
    {
        /** Waits in a collective, named by its {@link Place#waiting()}. */
        IN_COLLECTIVE("in a collective"),
        /** Runs its own code, in no collective (or entered one less than a second ago, under MPJ). */
        RUNNING("running, not in a collective"),
        /** Its main returned: it will take part in no collective any more. */
        RETURNED("returned"),
        /** Its main returned and its transport was closed. */
        FINISHED("finished"),
        /** Its main threw. */
        FAILED("failed"),
        /** Ended because another rank failed, or its launcher is gone. */
        STOPPED("stopped"),
        /** Its process is gone without an outcome (killed, crashed). */
        DIED("died"),
        /** It has not started yet. */
        NOT_STARTED("not started");

        private final String text;

        State(final String text)
        {
            this.text = text;
        }

        /**
         * Returns the state as a report line says it.
         *
         * @return the state as a report line says it, such as {@code running, not in a collective}.
         */
        public String text()
        {
            return text;
        }
    }

    /**
     * Where one rank is.
     *
     * @param rank    its world rank.
     * @param state   what it does.
     * @param waiting the collective it waits in when {@code state} is {@link State#IN_COLLECTIVE}, else null.
     */
    public record Place(int rank, State state, RankActivity.Waiting waiting)
    {
        /**
         * Checks that a collective is given exactly when the rank is in one.
         *
         * @param rank    its world rank.
         * @param state   what it does.
         * @param waiting the collective it waits in when {@code state} is {@link State#IN_COLLECTIVE}, else null.
         */
        public Place
        {
            Objects.requireNonNull(state, "state");
            if ((state == State.IN_COLLECTIVE) != (null != waiting))
            {
                throw new IllegalArgumentException("a rank has a collective exactly when it is in one: " + state +
                    ", " + waiting);
            }
        }

        /**
         * Returns the place of a rank in a collective.
         *
         * @param rank    its world rank.
         * @param waiting the collective and since when.
         * @return the place of a rank in a collective.
         */
        public static Place in(final int rank, final RankActivity.Waiting waiting)
        {
            return new Place(rank, State.IN_COLLECTIVE, waiting);
        }

        /**
         * Returns the place of a rank in no collective.
         *
         * @param rank  its world rank.
         * @param state what it does instead, not {@link State#IN_COLLECTIVE}.
         * @return the place of a rank in no collective.
         */
        public static Place elsewhere(final int rank, final State state)
        {
            return new Place(rank, state, null);
        }

        /**
         * Returns the place of a rank that may be in a collective.
         *
         * @param rank    its world rank.
         * @param waiting the collective it is in, if any.
         * @return in the collective, or {@link State#RUNNING} when there is none.
         */
        public static Place of(final int rank, final Optional<RankActivity.Waiting> waiting)
        {
            return waiting.map(w -> in(rank, w)).orElseGet(() -> elsewhere(rank, State.RUNNING));
        }

        /**
         * Returns the report's line for this rank.
         *
         * @param nowMillis the time of the report, in milliseconds since the epoch.
         * @return e.g. {@code rank 0: in barrier() (step 17) on the world communicator since 16:38:59 UTC
         * (62 s ago)} or {@code rank 2: running, not in a collective}.
         */
        public String line(final long nowMillis)
        {
            if (null == waiting)
            {
                return "rank " + rank + ": " + state.text();
            }
            return "rank " + rank + ": in " + waiting.call() + " since " + clock(waiting.sinceMillis()) + " (" +
                secondsAgo(waiting.sinceMillis(), nowMillis) + " s ago)";
        }
    }

    private final long stretchMillis;
    private RankActivity.Waiting reported;

    /**
     * Makes the watch of one job.
     *
     * @param stretchMillis how long a rank waits in one collective before the job is reported; 0 or less: never.
     */
    public HangReport(final long stretchMillis)
    {
        this.stretchMillis = stretchMillis;
    }

    /**
     * Returns the report to print now, once per stall: when a rank has waited in one collective for the stretch,
     * and that wait was not reported already.
     *
     * @param places    where every rank is now.
     * @param nowMillis now, in milliseconds since the epoch.
     * @return the report's text, or empty when there is nothing new to report.
     */
    public Optional<String> poll(final List<Place> places, final long nowMillis)
    {
        final Optional<Place> longest = longestWait(places);
        if (stretchMillis <= 0 || longest.isEmpty() ||
            nowMillis - longest.get().waiting().sinceMillis() < stretchMillis ||
            longest.get().waiting().equals(reported))
        {
            return Optional.empty();
        }
        reported = longest.get().waiting();
        return Optional.of(text("pshmem: the job has not moved for " +
            secondsAgo(reported.sinceMillis(), nowMillis) + " s (rank " + longest.get().rank() + " waits in " +
            reported.call() + "); where every rank is:", places, nowMillis));
    }

    /**
     * Returns the rank that has waited longest in its collective.
     *
     * @param places where every rank is.
     * @return the rank in a collective with the earliest start, or empty when none is in one.
     */
    public static Optional<Place> longestWait(final List<Place> places)
    {
        return places.stream().filter(place -> null != place.waiting())
            .min(Comparator.comparingLong((Place place) -> place.waiting().sinceMillis())
                .thenComparingInt(Place::rank));
    }

    /**
     * Returns a report: its headline, then one line per rank, in rank order, each starting {@code pshmem:   }.
     *
     * @param headline  the first line, such as {@code pshmem: the job did not finish within 30 s; aborted}.
     * @param places    where every rank is.
     * @param nowMillis the time of the report, in milliseconds since the epoch.
     * @return the lines, joined by new lines, without a last one.
     */
    public static String text(final String headline, final List<Place> places, final long nowMillis)
    {
        final StringBuilder text = new StringBuilder(headline);
        places.stream().sorted(Comparator.comparingInt(Place::rank))
            .forEach(place -> text.append('\n').append("pshmem:   ").append(place.line(nowMillis)));
        return text.toString();
    }

    private static String clock(final long millis)
    {
        return CLOCK.format(Instant.ofEpochMilli(millis)) + " UTC";
    }

    private static long secondsAgo(final long sinceMillis, final long nowMillis)
    {
        return Math.max(0, nowMillis - sinceMillis) / 1000;
    }
}
