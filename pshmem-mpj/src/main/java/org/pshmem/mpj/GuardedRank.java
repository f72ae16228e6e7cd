package org.pshmem.mpj;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

import org.pshmem.shm.ShmSegment;
import org.pshmem.spi.FailureSummary;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.Setting;

/**
 * Runs an application's {@code main} as a rank of an MPJ job and guards it, like upstream's exception guard:
 * when it throws, the rank marks the failure and its stack trace for the launcher (which prints one summary for
 * the job; without a job folder the rank prints them itself) and, after a short grace period (over once every
 * other rank has ended), ends its JVM with status 1 so the job is aborted instead of left hanging. MPJ's
 * {@code Finalize} is called only after {@code main} returned normally (a failing rank must not take part in
 * it, or it would match a peer's collective).
 *
 * <p>With a job folder ({@link #JOB_DIR_PROPERTY}, as under {@link MpjLauncher}) it also watches the job from
 * a thread of its own: when another rank has failed or died and this rank has not noticed within the grace
 * period (it may be blocked in an MPJ call, which cannot be interrupted), it ends this rank with a message
 * naming the failed one, at once when this rank's main returned and the failed one's had not (MPJ's Finalize,
 * a barrier of every rank, would wait for it for ever); when the launcher ({@link #LAUNCHER_PID_PROPERTY}) is
 * gone, it ends this rank too; when MPJ's reader thread has ended ({@link MpjReader}), it fails this rank. That
 * thread also leaves the collective this rank has been in for a second or
 * more in the job folder, for the launcher's report of a job that stopped moving.
 * A rank that ends early, or by SIGTERM/SIGINT, first removes the names of the segment files it knows.
 *
 * <p>Started by MPJRun as {@code GuardedRank <rank> <conf> <device> MainClass [args...]}; {@link MpjLauncher}
 * does this for every job, and {@code mpjrun.sh} users can do it by naming this class before theirs.
 */
public final class GuardedRank
{
    /** System property: folder where ranks leave their pid and outcome for the launcher. */
    public static final String JOB_DIR_PROPERTY = JobFolder.PROPERTY;
    /** System property: milliseconds a failing rank waits before ending its JVM (default 1000). */
    public static final String GRACE_PROPERTY = "pshmem.abortGraceMs";
    /** System property: pid of the launcher; the rank ends itself when that process is gone. */
    public static final String LAUNCHER_PID_PROPERTY = "pshmem.launcherPid";
    /** How long a rank is in one collective before its watchdog leaves the call in the job folder. */
    private static final long LASTING_MILLIS = 1000;
    private static final java.util.concurrent.atomic.AtomicBoolean ENDING = new java.util.concurrent.atomic.AtomicBoolean();
    /** Set once main returned normally: the rank is in MPJ's Finalize (or past it), no longer in its own code. */
    private static volatile boolean mainReturned;
    /** How often a failed rank looks whether every other rank has ended, during its grace period. */
    private static final long ENDED_LOOK_MILLIS = 20;

    private GuardedRank()
    {
    }

    /**
     * Runs the application's main as this rank, watching the job, and ends the JVM as the outcome says.
     *
     * @param args MPJ's three leading arguments, the application's main class, then its arguments.
     */
    public static void main(final String[] args)
    {
        if (args.length < 4)
        {
            System.err.println("pshmem: GuardedRank needs <rank> <conf> <device> MainClass [args...], got " +
                Arrays.toString(args));
            Runtime.getRuntime().halt(2);
        }
        final String rank = args[0];
        final JobFolder folder = JobFolder.ofThisRank().orElse(null);
        mark(folder, rank, null, "");
        // SIGTERM/SIGINT run shutdown hooks: no segment name of this rank outlives it.
        Runtime.getRuntime().addShutdownHook(new Thread(ShmSegment::removeKnownNames, "pshmem-segment-names"));
        if (null != folder)
        {
            final Thread watchdog = new Thread(() -> watch(folder, rank), "pshmem-rank-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        final String[] rankArgs = new String[args.length - 1];
        System.arraycopy(args, 0, rankArgs, 0, 3);
        System.arraycopy(args, 4, rankArgs, 3, args.length - 4);
        MpjSession.deferFinalize();
        try
        {
            final Method main = Class.forName(args[3], true, GuardedRank.class.getClassLoader())
                .getMethod("main", String[].class);
            main.invoke(null, (Object)rankArgs);
            mainReturned = true;
            markReturned(folder, rank);
            MpjSession.finalizeAfterMain();
            mark(folder, rank, JobFolder.Outcome.OK, "");
        }
        catch (final Throwable ex)
        {
            final Throwable failure = ex instanceof InvocationTargetException ? ex.getCause() : ex;
            final org.pshmem.api.RankFailedException another = FailureSummary.causedByAnother(failure,
                Integer.parseInt(rank));
            // A rank that finished (returned, or closed the communicator) without taking part did not fail: this
            // rank's collective failed, and the job ends for it, so ranks still in MPJ (such as in the finished
            // ones' Finalize) are ended too.
            if (null != another && (null == folder || folder.failedOrDied(another.failedRank())))
            {
                // Not this rank's fault: one line, and a "stopped" mark, so the launcher names the rank that failed.
                stop(folder, rank, "stopped because " + another.getMessage());
                return;
            }
            end(folder, rank, "pshmem: rank " + rank + " failed: " + failure, failure, JobFolder.Outcome.FAILED,
                String.valueOf(failure), null == folder,
                Setting.ABORT_GRACE_MS.longValue());
        }
    }

    /**
     * Ends this rank when another failed and this one did not notice within the grace period, or when the
     * launcher is gone. Checks every {@code pshmem.failureCheckMs} (default 200) milliseconds.
     */
    private static void watch(final JobFolder folder, final String rank)
    {
        final long period = Setting.FAILURE_CHECK_MS.longValue();
        final long grace = Setting.ABORT_GRACE_MS.longValue();
        final long launcher = Setting.LAUNCHER_PID.explicitValue().map(Long::parseLong).orElse(0L);
        final int self = Integer.parseInt(rank);
        long failureSeenAt = 0;
        RankActivity.Waiting recorded = null;
        while (!ENDING.get())
        {
            sleep(period);
            if (launcher > 0 && !ProcessHandle.of(launcher).map(ProcessHandle::isAlive).orElse(false))
            {
                // Nobody is left to print the job's summary: this rank says why it ends.
                end(folder, rank, "pshmem: rank " + rank + ": the launcher (pid " + launcher + ") is gone; ending " +
                    "this rank", null, JobFolder.Outcome.STOPPED, "the launcher (pid " + launcher + ") is gone; " +
                    "ending this rank", true, 0);
                return;
            }
            if (MpjReader.ended())
            {
                end(folder, rank, "pshmem: rank " + rank + " failed: " + MpjReader.ENDED, null,
                    JobFolder.Outcome.FAILED, MpjReader.ENDED, null == folder, grace);
                return;
            }
            recorded = recordActivity(folder, self, recorded);
            final org.pshmem.api.RankFailedException failure = JobStatus.failure("job", self);
            if (null == failure || failure.failedRank() == self)
            {
                continue;
            }
            if (mainReturned && !folder.returned(failure.failedRank()))
            {
                // MPJ's Finalize begins with a barrier of every rank, which a rank that failed or died before its
                // main returned never enters: no code of this rank is left to notice, so the grace would only wait.
                stop(folder, rank, "rank " + failure.failedRank() + " failed or died (" + failure.getMessage() +
                    "), and this rank, whose main returned, waits for it in MPJ Express's Finalize; ending it");
                return;
            }
            if (0 == failureSeenAt)
            {
                failureSeenAt = System.nanoTime();
            }
            else if (System.nanoTime() - failureSeenAt > grace * 1_000_000L)
            {
                stop(folder, rank, "rank " + failure.failedRank() + " failed or died (" + failure.getMessage() + "), and this " +
                    "rank did not stop within " + grace + " ms (blocked in an MPJ call?); ending it");
                return;
            }
        }
    }

    /**
     * Leaves the collective this rank is in, when it has been in it for {@link #LASTING_MILLIS} or more, in the job
     * folder for the launcher's report of a job that stopped moving; removes it once the rank left it. Here, off
     * the collective's path: entering one writes two fields, and only this thread writes files.
     *
     * @param recorded what the folder holds now, or null.
     * @return what the folder holds after this call.
     */
    private static RankActivity.Waiting recordActivity(final JobFolder folder, final int rank,
        final RankActivity.Waiting recorded)
    {
        final RankActivity.Waiting now = MpjSession.activity().waiting().orElse(null);
        try
        {
            if (null != now && System.currentTimeMillis() - now.sinceMillis() >= LASTING_MILLIS)
            {
                if (!now.equals(recorded))
                {
                    folder.markWaiting(rank, now);
                }
                return now;
            }
            if (null != recorded)
            {
                folder.clearWaiting(rank);
            }
            return null;
        }
        catch (final IOException ex)
        {
            return recorded; // the folder gone with the job, or full: the report only lacks this rank's call
        }
    }

    /**
     * The end of a rank stopped by another's failure: the cause is another rank's, so the mark says "stopped",
     * not "failed"; with a job folder the launcher's summary says why, so the rank prints nothing.
     */
    private static void stop(final JobFolder folder, final String rank, final String why)
    {
        end(folder, rank, "pshmem: rank " + rank + ": " + why, null, JobFolder.Outcome.STOPPED, why, null == folder,
            0);
    }

    /**
     * Ends this rank once, whichever of {@code main}'s failure and the watchdog comes first: leaves the trace and
     * the outcome mark, prints why (when {@code print}: without a job folder, whose launcher prints one summary
     * for the job), removes the segment names this process knows, waits {@code graceMillis} and halts.
     */
    private static void end(final JobFolder folder, final String rank, final String line, final Throwable trace,
        final JobFolder.Outcome outcome, final String markText, final boolean print, final long graceMillis)
    {
        if (!ENDING.compareAndSet(false, true))
        {
            return; // being ended already
        }
        if (print)
        {
            System.err.println(line);
            if (null != trace)
            {
                trace.printStackTrace();
            }
            System.err.flush();
        }
        if (null != folder && null != trace)
        {
            markTrace(folder, rank, trace);
        }
        mark(folder, rank, outcome, markText);
        ShmSegment.removeKnownNames();
        awaitOthers(folder, rank, graceMillis);
        Runtime.getRuntime().halt(1);
    }

    /**
     * The grace period of a rank that ends: up to {@code graceMillis}, for the other ranks to notice and leave their
     * marks (under the multicore device they are threads of this JVM, which the halt ends); over as soon as every
     * other rank of the job has ended (an outcome, or its process gone), since then nobody is left to notice.
     * Without a job folder, or before MPJ knows the job's size, the whole period.
     */
    private static void awaitOthers(final JobFolder folder, final String rank, final long graceMillis)
    {
        final int size = null == folder || graceMillis <= 0 ? 0 : worldSize();
        final long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        for (long left = graceMillis; left > 0; left = (deadline - System.nanoTime()) / 1_000_000L)
        {
            if (size > 0 && folder.othersEnded(size, Integer.parseInt(rank)))
            {
                return;
            }
            sleep(size > 0 ? Math.min(ENDED_LOOK_MILLIS, left) : left);
        }
    }

    /** @return the number of ranks of the job, or 0 when MPJ was not initialised (or cannot say). */
    private static int worldSize()
    {
        try
        {
            return null == mpi.MPI.COMM_WORLD ? 0 : mpi.MPI.COMM_WORLD.Size();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return 0;
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ignored)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Leaves the failure's stack trace for the launcher's summary; says so on stderr when it cannot. */
    private static void markTrace(final JobFolder folder, final String rank, final Throwable trace)
    {
        try
        {
            folder.markTrace(Integer.parseInt(rank), FailureSummary.traceOf(trace));
        }
        catch (final IOException ex)
        {
            System.err.println("pshmem: rank " + rank + " could not leave its stack trace in " + folder.path() + ": " +
                ex);
            trace.printStackTrace();
        }
    }

    /** Leaves the mark by which ranks still waiting for this one in a collective learn that it never will come. */
    private static void markReturned(final JobFolder folder, final String rank)
    {
        if (null == folder)
        {
            return;
        }
        try
        {
            folder.markReturned(Integer.parseInt(rank));
        }
        catch (final IOException ex)
        {
            System.err.println("pshmem: rank " + rank + " could not leave its returned mark in " + folder.path() +
                ": " + ex);
        }
    }

    /** Leaves the rank's pid ({@code outcome} null) or its outcome in the job folder, when it has one. */
    private static void mark(final JobFolder folder, final String rank, final JobFolder.Outcome outcome,
        final String text)
    {
        if (null == folder)
        {
            return;
        }
        try
        {
            if (null == outcome)
            {
                folder.markStarted(Integer.parseInt(rank));
            }
            else
            {
                folder.markEnded(Integer.parseInt(rank), outcome, text);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("pshmem: rank " + rank + " could not leave its " +
                (null == outcome ? "pid" : outcome.name().toLowerCase(java.util.Locale.ROOT)) + " mark in " +
                folder.path() + ": " + ex);
        }
    }
}
