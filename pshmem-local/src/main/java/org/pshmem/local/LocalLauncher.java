package org.pshmem.local;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.pshmem.api.RankFailedException;
import org.pshmem.spi.FailureSummary;
import org.pshmem.spi.HangReport;
import org.pshmem.spi.Setting;

/**
 * Command-line launcher of an in-process job:
 * {@code LocalLauncher [-np N] [--nodes K] [--timeout S] [--] MainClass [args...]} runs the class's {@code main}
 * on N threads of this JVM (default 1), each a rank, dealt to K simulated nodes (default 1), and ends the JVM
 * with status 1 when the job has not finished after S seconds (default 0: no limit). The program's class path is
 * this JVM's; each rank loads the program's classes itself, so their static fields are per rank, as under MPJ
 * Express. It alone checks the options {@code ./pshmem run --transport local} hands it, and reports bad usage
 * in one line, as {@code ./pshmem} does. One thread of its own watches the job: when a rank has waited in one
 * collective for {@code pshmem.hangReportSeconds}, and when the timeout passes, it prints where every rank is
 * ({@link HangReport}). A failed job is reported on standard error in one screen ({@link FailureSummary}): a line
 * per rank that threw, then one stack trace (every one with {@code pshmem.allTraces}). Exit status: 0 when every
 * rank succeeded, 1 when a rank failed or the timeout passed, 2 for bad usage.
 */
public final class LocalLauncher
{
    /** How often the launcher's thread looks at the ranks, for the timeout and the report of a stalled job. */
    private static final long WATCH_PERIOD_MILLIS = 250;
    /** Options of ./pshmem run that only the mpj transport's launcher takes. */
    private static final Set<String> MPJ_ONLY = Set.of("--device", "--machines", "--listen-address", "--shm-dir");

    private LocalLauncher()
    {
    }

    /**
     * Runs the job and ends the JVM with its exit status.
     *
     * @param args {@code [-np N] [--nodes K] [--timeout S] [--] MainClass [args...]}.
     */
    public static void main(final String[] args)
    {
        System.exit(launch(args));
    }

    static int launch(final String[] args)
    {
        return launch(args, System.err);
    }

    /**
     * @param err where bad usage is reported, in one line.
     * @return the exit status.
     */
    static int launch(final String[] args, final PrintStream err)
    {
        int ranks = 1;
        int nodes = 1;
        long timeoutSeconds = 0;
        int i = 0;
        while (i < args.length && args[i].startsWith("-"))
        {
            final String option = args[i];
            if (option.equals("--"))
            {
                i++;
                break;
            }
            if (MPJ_ONLY.contains(option))
            {
                return usage(err, option + " needs the mpj transport (a local job runs as threads of one JVM, " +
                    "which keeps node memory inside it)");
            }
            if (!option.equals("-np") && !option.equals("--nodes") && !option.equals("--timeout"))
            {
                return usage(err, "unknown option '" + option + "'");
            }
            if (i + 1 >= args.length)
            {
                return usage(err, option + " needs a value");
            }
            try
            {
                switch (option)
                {
                    case "-np" -> ranks = Integer.parseInt(args[i + 1]);
                    case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
                    default -> timeoutSeconds = Long.parseLong(args[i + 1]);
                }
            }
            catch (final NumberFormatException ex)
            {
                return usage(err, option + " needs a whole number, not '" + args[i + 1] + "'");
            }
            i += 2;
        }
        if (i >= args.length)
        {
            return usage(err, "no main class given");
        }
        if (ranks < 1)
        {
            return usage(err, "-np must be at least 1, not " + ranks);
        }
        if (nodes < 1 || nodes > ranks)
        {
            return usage(err, "--nodes must be from 1 to the number of ranks (" + ranks + "), not " + nodes);
        }
        if (timeoutSeconds < 0)
        {
            return usage(err, "--timeout must be 0 (no limit) or more seconds, not " + timeoutSeconds);
        }
        final Method main;
        try
        {
            // Only checked here, not initialised: each rank loads and initialises the class itself.
            main = Class.forName(args[i], false, LocalLauncher.class.getClassLoader())
                .getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers()))
            {
                return usage(err, args[i] + ".main is not static");
            }
        }
        catch (final ClassNotFoundException | NoSuchMethodException ex)
        {
            return usage(err, "cannot find public static void main(String[]) in '" + args[i] + "' on the class path");
        }
        final String[] programArgs = Arrays.copyOfRange(args, i + 1, args.length);
        final long hangReportSeconds;
        try
        {
            hangReportSeconds = Setting.HANG_REPORT_SECONDS.longValue();
        }
        catch (final IllegalStateException ex)
        {
            return usage(err, ex.getMessage());
        }
        final LocalJobState job = new LocalJobState(ranks, nodes);
        final Thread watch = watch(job, timeoutSeconds, TimeUnit.SECONDS.toMillis(hangReportSeconds));
        final Throwable[] failures = LocalJob.runRanks(job, programArgs,
            new RankMainClass(args[i], LocalLauncher.class.getClassLoader()));
        watch.interrupt();
        final RankFailedException first = job.failure();
        if (null == first)
        {
            return 0;
        }
        System.err.print(summary(failures, first.failedRank(),
            Boolean.parseBoolean(Setting.ALL_TRACES.value().orElse("false"))));
        System.err.println("pshmem: local job of " + ranks + " ranks failed: " + first.getMessage());
        System.err.flush();
        return 1;
    }

    /**
     * @return one line per rank that threw (failed, or stopped because another failed), then the trace of
     * {@code firstRank}, or of every rank when {@code allTraces}.
     */
    static String summary(final Throwable[] failures, final int firstRank, final boolean allTraces)
    {
        final List<FailureSummary.RankEnd> ends = new ArrayList<>();
        for (int rank = 0; rank < failures.length; rank++)
        {
            final Throwable failure = failures[rank];
            if (null == failure)
            {
                continue;
            }
            final RankFailedException another = FailureSummary.causedByAnother(failure, rank);
            ends.add(null == another ?
                new FailureSummary.RankEnd(rank, FailureSummary.Kind.FAILED, String.valueOf(failure),
                    FailureSummary.traceOf(failure)) :
                new FailureSummary.RankEnd(rank, FailureSummary.Kind.STOPPED, "stopped because " + another.getMessage(),
                    FailureSummary.traceOf(failure)));
        }
        return FailureSummary.text(ends, firstRank, allTraces);
    }

    /**
     * Starts the launcher's one thread, which watches the job: it prints where every rank is when a rank has
     * waited in one collective for {@code hangReportMillis} (once per stall), and ends this JVM, and so every
     * rank, with that report when the job has not finished after {@code timeoutSeconds} (0: no limit). The
     * launcher interrupts it when the job has ended.
     */
    private static Thread watch(final LocalJobState job, final long timeoutSeconds, final long hangReportMillis)
    {
        final long deadline = timeoutSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds) : 0;
        final Thread watch = new Thread(() ->
        {
            final HangReport hangs = new HangReport(hangReportMillis);
            while (!Thread.currentThread().isInterrupted())
            {
                try
                {
                    Thread.sleep(WATCH_PERIOD_MILLIS);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                final List<HangReport.Place> places = places(job);
                final long now = System.currentTimeMillis();
                if (deadline != 0 && System.nanoTime() - deadline > 0)
                {
                    System.err.println(HangReport.text("pshmem: the job did not finish within " + timeoutSeconds +
                        " s; aborted; where every rank was:", places, now));
                    System.err.flush();
                    Runtime.getRuntime().halt(1);
                }
                hangs.poll(places, now).ifPresent(report ->
                {
                    System.err.println(report);
                    System.err.flush();
                });
            }
        }, "pshmem-job-watch");
        watch.setDaemon(true);
        watch.start();
        return watch;
    }

    private static List<HangReport.Place> places(final LocalJobState job)
    {
        final List<HangReport.Place> places = new ArrayList<>();
        for (int rank = 0; rank < job.size(); rank++)
        {
            places.add(job.place(rank));
        }
        return places;
    }

    /** One line, as ./pshmem reports bad usage, since ./pshmem run hands its options to this launcher. */
    private static int usage(final PrintStream err, final String problem)
    {
        err.println("pshmem run: " + problem + " (see ./pshmem run --help)");
        return 2;
    }
}
