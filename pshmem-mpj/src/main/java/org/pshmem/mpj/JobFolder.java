package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.pshmem.spi.FailureSummary;
import org.pshmem.spi.HangReport;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.Setting;

/**
 * The job folder through which the ranks of one job and its launcher learn how each rank is doing. The launcher
 * ({@link MpjLauncher}) makes it and names it to every rank ({@link #PROPERTY}); each rank's guard
 * ({@link GuardedRank}) writes its pid when it starts and one outcome when it ends; the launcher, the guards'
 * watchdogs and the waits in node memory ({@link JobStatus}) read it. This class alone knows the names of the
 * files and what they mean.
 *
 * <pre>
 *   job folder/                   (-Dpshmem.jobDir=...; shared by every host of the job)
 *   +-- rank-0.pid                "PID HOST": written by rank 0's guard before main starts
 *   +-- rank-0.returned           empty: main returned; written before MPJ is finalised, so ranks still
 *   |                             waiting for rank 0 in a collective fail instead of waiting
 *   +-- rank-0.closed-w.3.0       empty: rank 0 closed the communicator of that id (a split of the world at
 *   |                             its step 3, colour 0), so members waiting for it there fail
 *   +-- rank-0.ok                 empty: main returned and MPJ was finalised
 *   +-- rank-1.pid
 *   +-- rank-1.waiting            "SINCE CALL": in that collective since SINCE (ms since the epoch), such as
 *   |                             "1795797539123 barrier() (step 17) on the world communicator"; written by the
 *   |                             guard's watchdog once the rank has been in one call for about a second,
 *   |                             removed when it left it
 *   +-- rank-1.trace              the stack trace of main's failure, for the launcher's summary; written before
 *   |                             the failed mark
 *   +-- rank-1.failed             the exception: main threw (the cause of the job's end)
 *   +-- rank-2.pid
 *   +-- rank-2.stopped            why: ended because another rank failed, or the launcher is gone
 *   +-- rank-3.pid                no outcome and no live process on its host: rank 3 died (kill -9, crash)
 *   +-- rank-N.OUTCOME.tmp        a mark being written; renamed into place, so a mark is never read half done
 * </pre>
 *
 * A rank has at most one outcome. A pid names a process on its host only, so a rank of another host is never
 * reported dead from here (nor killed): its outcome, or MPJ's starter ending, tells.
 */
final class JobFolder
{
    /** System property naming the job folder to a rank; without it a rank has none (as under {@code mpjrun.sh}). */
    static final String PROPERTY = "pshmem.jobDir";

    private static final Pattern MARK = Pattern.compile("rank-(\\d{1,9})\\.(pid|returned|ok|failed|stopped)");
    private static final String PID = "pid";
    private static final String RETURNED = "returned";
    private static final String CLOSED = "closed-";
    private static final String WAITING = "waiting";
    private static final String TRACE = "trace";

    /** How a rank ended, as it wrote it. */
    enum Outcome
    {
        /** {@code main} returned normally. */
        OK("ok"),
        /** {@code main} threw: this rank is the cause of the job's end. */
        FAILED("failed"),
        /** Ended by its guard because another rank failed, or the launcher is gone: not the cause. */
        STOPPED("stopped");

        private final String suffix;

        Outcome(final String suffix)
        {
            this.suffix = suffix;
        }
    }

    /**
     * A rank that can no longer take part, and why.
     *
     * @param rank   its world rank.
     * @param failed true when it failed ({@link Outcome#FAILED}), false when it died without an outcome.
     * @param reason what it wrote when it failed; empty when it died.
     */
    record LostRank(int rank, boolean failed, String reason)
    {
        /** @return the sentence other ranks report, such as {@code rank 2 ended without finishing}. */
        String describe()
        {
            return failed ? "rank " + rank + " failed: " + reason : "rank " + rank + " ended without finishing";
        }
    }

    /** The pid remembered for a rank of another host, which this host never sees die. */
    private static final long OTHER_HOST = -1L;

    private final Path dir;
    /** By rank: its pid from its mark, which is written once, as it starts, or {@link #OTHER_HOST}. */
    private final Map<Integer, Long> pids = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param dir an existing folder.
     */
    JobFolder(final Path dir)
    {
        this.dir = dir;
    }

    /** @return the job folder named to this JVM ({@link #PROPERTY}), or empty when it has none. */
    static Optional<JobFolder> ofThisRank()
    {
        final String dir = Setting.JOB_DIR.explicitValue().orElse(null);
        return null == dir ? Optional.empty() : Optional.of(new JobFolder(Path.of(dir)));
    }

    /** @return the folder. */
    Path path()
    {
        return dir;
    }

    /** Records that {@code rank} runs in this process, on this host. */
    void markStarted(final int rank) throws IOException
    {
        write(rank, PID, RankProcess.markOfThisProcess());
    }

    /** Records that {@code rank}'s main returned: it takes part in no collective any more. */
    void markReturned(final int rank) throws IOException
    {
        write(rank, RETURNED, "");
    }

    /** Records that {@code rank} closed the communicator named {@code commId}. */
    void markClosed(final int rank, final String commId) throws IOException
    {
        write(rank, CLOSED + commId, "");
    }

    /** @return true when {@code rank} closed the communicator named {@code commId}. */
    boolean hasClosed(final int rank, final String commId)
    {
        return Files.exists(file(rank, CLOSED + commId));
    }

    /**
     * @return true when {@code rank} failed, was stopped because of a failure, or died; false when it returned,
     * only closed a communicator, or still runs.
     */
    boolean failedOrDied(final int rank)
    {
        final Optional<Outcome> outcome = outcome(rank);
        if (outcome.isPresent())
        {
            return outcome.get() != Outcome.OK;
        }
        return !returned(rank) && Files.exists(file(rank, PID)) && RankProcess.isGone(file(rank, PID)) &&
            outcome(rank).isEmpty();
    }

    /** @return true when {@code rank}'s main returned normally (whether or not MPJ was finalised since). */
    boolean returned(final int rank)
    {
        return Files.exists(file(rank, RETURNED));
    }

    /**
     * @return true when {@code rank}'s main returned or it ended with any outcome: it sends no more messages of a
     * collective.
     */
    boolean hasFinished(final int rank)
    {
        return Files.exists(file(rank, RETURNED)) || outcome(rank).isPresent();
    }

    /** @return what {@code rank} wrote when it was stopped, or empty when it was not. */
    Optional<String> stopReason(final int rank)
    {
        return outcome(rank).filter(outcome -> outcome == Outcome.STOPPED)
            .map(outcome -> readOrEmpty(file(rank, outcome.suffix)));
    }

    private static String readOrEmpty(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** Records that {@code rank} is in a collective, and since when; replaces what it recorded before. */
    void markWaiting(final int rank, final RankActivity.Waiting waiting) throws IOException
    {
        write(rank, WAITING, waiting.sinceMillis() + " " + waiting.call());
    }

    /** Records that {@code rank} is in no collective any more. */
    void clearWaiting(final int rank) throws IOException
    {
        Files.deleteIfExists(file(rank, WAITING));
    }

    /** @return the collective {@code rank} recorded it is in, or empty when none (or the mark cannot be read). */
    Optional<RankActivity.Waiting> waiting(final int rank)
    {
        final String text = readOrEmpty(file(rank, WAITING));
        final int space = text.indexOf(' ');
        try
        {
            return space < 0 ? Optional.empty() :
                Optional.of(new RankActivity.Waiting(text.substring(space + 1),
                    Long.parseLong(text.substring(0, space))));
        }
        catch (final NumberFormatException ex)
        {
            return Optional.empty();
        }
    }

    /** Records the stack trace of {@code rank}'s failure; before its failed mark, so the launcher finds both. */
    void markTrace(final int rank, final String trace) throws IOException
    {
        write(rank, TRACE, trace);
    }

    /**
     * @return where {@code rank} is, as its marks say: how it ended, else the collective it waits in (for about a
     * second or more), else running; not started when it left no pid.
     */
    HangReport.Place place(final int rank)
    {
        final Optional<Outcome> outcome = outcome(rank);
        if (outcome.isPresent())
        {
            return HangReport.Place.elsewhere(rank, switch (outcome.get())
            {
                case OK -> HangReport.State.FINISHED;
                case FAILED -> HangReport.State.FAILED;
                case STOPPED -> HangReport.State.STOPPED;
            });
        }
        if (returned(rank))
        {
            return HangReport.Place.elsewhere(rank, HangReport.State.RETURNED);
        }
        if (!Files.exists(file(rank, PID)))
        {
            return HangReport.Place.elsewhere(rank, HangReport.State.NOT_STARTED);
        }
        if (RankProcess.isGone(file(rank, PID)) && outcome(rank).isEmpty())
        {
            return HangReport.Place.elsewhere(rank, HangReport.State.DIED);
        }
        return HangReport.Place.of(rank, waiting(rank));
    }

    /**
     * @return every rank of {@code ranks} that did not finish normally, in rank order: failed (with its message
     * and trace), stopped (with why) or died. Ranks still running, or that only returned, are left out.
     */
    List<FailureSummary.RankEnd> ends(final int ranks)
    {
        final List<FailureSummary.RankEnd> ends = new ArrayList<>();
        for (int rank = 0; rank < ranks; rank++)
        {
            final Optional<Outcome> outcome = outcome(rank);
            if (outcome.isPresent() && outcome.get() != Outcome.OK)
            {
                final boolean failed = outcome.get() == Outcome.FAILED;
                final Path trace = file(rank, TRACE);
                ends.add(new FailureSummary.RankEnd(rank, failed ? FailureSummary.Kind.FAILED :
                    FailureSummary.Kind.STOPPED, readOrEmpty(file(rank, outcome.get().suffix)),
                    Files.exists(trace) ? readOrEmpty(trace) : null));
            }
            else if (outcome.isEmpty() && !returned(rank) && Files.exists(file(rank, PID)) &&
                RankProcess.isGone(file(rank, PID)) && outcome(rank).isEmpty())
            {
                ends.add(new FailureSummary.RankEnd(rank, FailureSummary.Kind.DIED, "", null));
            }
        }
        return ends;
    }

    /** Records how {@code rank} ended; {@code text} is the failure or the reason it was stopped. */
    void markEnded(final int rank, final Outcome outcome, final String text) throws IOException
    {
        write(rank, outcome.suffix, text);
    }

    /** @return the ranks that wrote their pid, in rank order. */
    List<Integer> started() throws IOException
    {
        return ranksWith(PID);
    }

    /** @return the ranks that ended with {@code outcome}, in rank order. */
    List<Integer> ended(final Outcome outcome) throws IOException
    {
        return ranksWith(outcome.suffix);
    }

    /** @return the outcome {@code rank} wrote, or empty while it runs (or when it died). */
    Optional<Outcome> outcome(final int rank)
    {
        for (final Outcome outcome : Outcome.values())
        {
            if (Files.exists(file(rank, outcome.suffix)))
            {
                return Optional.of(outcome);
            }
        }
        return Optional.empty();
    }

    /** @return whether a rank that wrote its pid still runs on this host, not as a zombie (its folder must stay). */
    boolean anyRankRunningHere() throws IOException
    {
        for (final int rank : started())
        {
            if (RankProcess.isRunningHere(file(rank, PID)))
            {
                return true;
            }
        }
        return false;
    }

    /** @return the pid of {@code rank} when it runs, or ran, on this host. */
    Optional<Long> localPid(final int rank)
    {
        return RankProcess.localPid(file(rank, PID));
    }

    /**
     * @return the ranks of this host whose process is gone although they wrote no outcome (killed, or crashed),
     * in rank order. Under the multicore device every rank is the same JVM, which ends only with the job.
     */
    List<Integer> died() throws IOException
    {
        return died(ranksBySuffix());
    }

    /**
     * @param ranks  the job's size.
     * @param except a world rank not to look at (the asking one).
     * @return true when every rank of the job but {@code except} has ended: it wrote an outcome, or its process on
     * this host is gone; from one listing of the folder.
     */
    boolean othersEnded(final int ranks, final int except)
    {
        final Map<String, List<Integer>> marks;
        try
        {
            marks = ranksBySuffix();
        }
        catch (final IOException ex)
        {
            return false; // the folder gone with the job: the caller waits its whole period
        }
        final Set<Integer> ended = ended(marks);
        final Set<Integer> started = new HashSet<>(marks.get(PID));
        for (int rank = 0; rank < ranks; rank++)
        {
            if (rank != except && !ended.contains(rank) && !(started.contains(rank) && isGone(rank)))
            {
                return false;
            }
        }
        return true;
    }

    /** {@link #died()} from one listing of the folder: only a rank with no outcome there is looked at further. */
    private List<Integer> died(final Map<String, List<Integer>> marks)
    {
        final Set<Integer> ended = ended(marks);
        final List<Integer> dead = new ArrayList<>();
        for (final int rank : marks.get(PID))
        {
            // The outcome is looked at again after the process: a rank may write it and end between two looks.
            if (!ended.contains(rank) && isGone(rank) && outcome(rank).isEmpty())
            {
                dead.add(rank);
            }
        }
        return dead;
    }

    /**
     * @return the rank that stops the job: the first that failed, whose failure names the cause, else the first
     * that died; empty while none did. Ranks stopped because of it come after and are not reported. One listing of
     * the folder and a look at each running rank's process: the watchdog and the waits ask several times a second.
     */
    Optional<LostRank> lostRank() throws IOException
    {
        final Map<String, List<Integer>> marks = ranksBySuffix();
        final List<Integer> failed = marks.get(Outcome.FAILED.suffix);
        if (!failed.isEmpty())
        {
            final int rank = failed.get(0);
            return Optional.of(new LostRank(rank, true, Files.readString(file(rank, Outcome.FAILED.suffix))));
        }
        final List<Integer> dead = died(marks);
        return dead.isEmpty() ? Optional.empty() : Optional.of(new LostRank(dead.get(0), false, ""));
    }

    /**
     * @param ranks  world ranks, members of the communicator {@code commId}.
     * @param except a world rank not to report (the asking one).
     * @return the first of {@code ranks} (in their order) whose main returned, that ended with any outcome, or that
     * closed the communicator {@code commId}, from one listing of the folder; empty when none did.
     */
    OptionalInt firstFinishedOrClosed(final int[] ranks, final String commId, final int except) throws IOException
    {
        final Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(path -> names.add(path.getFileName().toString()));
        }
        for (final int rank : ranks)
        {
            boolean finished = names.contains(name(rank, RETURNED)) || names.contains(name(rank, CLOSED + commId));
            for (final Outcome outcome : Outcome.values())
            {
                finished |= names.contains(name(rank, outcome.suffix));
            }
            if (rank != except && finished)
            {
                return OptionalInt.of(rank);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Whether {@code rank}'s process, on this host, is gone; its pid mark (listed, so complete: marks are renamed
     * into place) is read once, and a rank of another host is remembered as such.
     */
    private boolean isGone(final int rank)
    {
        final long pid = pids.computeIfAbsent(rank, r -> RankProcess.localPid(file(r, PID)).orElse(OTHER_HOST));
        return OTHER_HOST != pid && ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
    }

    /** @return the ranks with an outcome mark, of any kind, in {@code marks} (one listing of the folder). */
    private static Set<Integer> ended(final Map<String, List<Integer>> marks)
    {
        final Set<Integer> ended = new HashSet<>();
        for (final Outcome outcome : Outcome.values())
        {
            ended.addAll(marks.get(outcome.suffix));
        }
        return ended;
    }

    /** @return by suffix of {@link #MARK} (pid, returned and each outcome), the ranks with that mark, in rank
     *  order, from one listing of the folder. */
    private Map<String, List<Integer>> ranksBySuffix() throws IOException
    {
        final Map<String, List<Integer>> ranks = new HashMap<>();
        for (final String suffix : List.of(PID, RETURNED, Outcome.OK.suffix, Outcome.FAILED.suffix,
            Outcome.STOPPED.suffix))
        {
            ranks.put(suffix, new ArrayList<>());
        }
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(path ->
            {
                final Matcher mark = MARK.matcher(path.getFileName().toString());
                if (mark.matches())
                {
                    ranks.get(mark.group(2)).add(Integer.parseInt(mark.group(1)));
                }
            });
        }
        ranks.values().forEach(list -> list.sort(null));
        return ranks;
    }

    private static String name(final int rank, final String suffix)
    {
        return "rank-" + rank + "." + suffix;
    }

    private Path file(final int rank, final String suffix)
    {
        return dir.resolve(name(rank, suffix));
    }

    private void write(final int rank, final String suffix, final String text) throws IOException
    {
        final Path temporary = dir.resolve("rank-" + rank + "." + suffix + ".tmp");
        Files.writeString(temporary, text);
        Files.move(temporary, file(rank, suffix), StandardCopyOption.ATOMIC_MOVE);
    }

    private List<Integer> ranksWith(final String suffix) throws IOException
    {
        final List<Integer> ranks = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(path ->
            {
                final Matcher mark = MARK.matcher(path.getFileName().toString());
                if (mark.matches() && mark.group(2).equals(suffix))
                {
                    ranks.add(Integer.parseInt(mark.group(1)));
                }
            });
        }
        ranks.sort(null);
        return ranks;
    }
}
