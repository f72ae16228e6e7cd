package org.pshmem.local;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Command-line launcher of an in-process job:
 * {@code LocalLauncher [-np N] [--nodes K] [--timeout S] [--] MainClass [args...]} runs the class's {@code main}
 * on N threads of this JVM (default 1), each a rank, dealt to K simulated nodes (default 1), and ends the JVM
 * with status 1 when the job has not finished after S seconds (default 0: no limit). The program's class path is
 * this JVM's; each rank loads the program's classes itself, so their static fields are per rank, as under MPJ
 * Express. It alone checks the options {@code ./pshmem run --transport local} hands it, and reports bad usage
 * in one line, as {@code ./pshmem} does. Exit status: 0 when every rank succeeded, 1 when a rank failed
 * (reported on standard error with its rank) or the timeout passed, 2 for bad usage.
 */
public final class LocalLauncher
{
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
        if (timeoutSeconds > 0)
        {
            endAfter(timeoutSeconds);
        }
        try
        {
            LocalJob.runMain(ranks, nodes, programArgs,
                new RankMainClass(args[i], LocalLauncher.class.getClassLoader()));
            return 0;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("pshmem: " + ex.getMessage());
            if (null != ex.getCause())
            {
                ex.getCause().printStackTrace();
            }
            return 1;
        }
    }

    /** Ends this JVM, and so every rank, when the job has not finished after {@code seconds}. */
    private static void endAfter(final long seconds)
    {
        final Thread timer = new Thread(() ->
        {
            try
            {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            System.err.println("pshmem: the job did not finish within " + seconds + " s; aborted");
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }, "pshmem-job-timeout");
        timer.setDaemon(true);
        timer.start();
    }

    /** One line, as ./pshmem reports bad usage, since ./pshmem run hands its options to this launcher. */
    private static int usage(final PrintStream err, final String problem)
    {
        err.println("pshmem run: " + problem + " (see ./pshmem run --help)");
        return 2;
    }
}
