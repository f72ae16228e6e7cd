package org.pshmem.mpj;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs an application's {@code main} as a rank of an MPJ job and guards it, like upstream's exception guard:
 * when it throws, the rank prints the failure with its rank, marks it for the launcher and, after a short
 * grace period, ends its JVM with status 1 so the job is aborted instead of left hanging. MPJ's
 * {@code Finalize} is called only after {@code main} returned normally (a failing rank must not take part in
 * it, or it would match a peer's collective).
 *
 * <p>Started by MPJRun as {@code GuardedRank <rank> <conf> <device> MainClass [args...]}; {@link MpjLauncher}
 * does this for every job, and {@code mpjrun.sh} users can do it by naming this class before theirs.
 */
public final class GuardedRank
{
    /** System property: folder where ranks leave their pid and outcome for the launcher. */
    public static final String JOB_DIR_PROPERTY = "pshmem.jobDir";
    /** System property: milliseconds a failing rank waits before ending its JVM (default 1000). */
    public static final String GRACE_PROPERTY = "pshmem.abortGraceMs";

    private GuardedRank()
    {
    }

    /**
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
        mark(rank, "pid", Long.toString(ProcessHandle.current().pid()));
        final String[] rankArgs = new String[args.length - 1];
        System.arraycopy(args, 0, rankArgs, 0, 3);
        System.arraycopy(args, 4, rankArgs, 3, args.length - 4);
        MpjSession.deferFinalize();
        try
        {
            final Method main = Class.forName(args[3], true, GuardedRank.class.getClassLoader())
                .getMethod("main", String[].class);
            main.invoke(null, (Object)rankArgs);
            MpjSession.finalizeIfClosed();
            mark(rank, "ok", "");
        }
        catch (final Throwable ex)
        {
            final Throwable failure = ex instanceof InvocationTargetException ? ex.getCause() : ex;
            System.err.println("pshmem: rank " + rank + " failed: " + failure);
            failure.printStackTrace();
            System.err.flush();
            mark(rank, "failed", String.valueOf(failure));
            try
            {
                Thread.sleep(Long.getLong(GRACE_PROPERTY, 1000));
            }
            catch (final InterruptedException ignored)
            {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(1);
        }
    }

    private static void mark(final String rank, final String what, final String text)
    {
        final String dir = System.getProperty(JOB_DIR_PROPERTY);
        if (null != dir)
        {
            try
            {
                final Path temporary = Path.of(dir, "rank-" + rank + "." + what + ".tmp");
                Files.writeString(temporary, text);
                Files.move(temporary, Path.of(dir, "rank-" + rank + "." + what));
            }
            catch (final IOException ex)
            {
                System.err.println("pshmem: rank " + rank + " could not leave its " + what + " mark in " + dir + ": " + ex);
            }
        }
    }
}
