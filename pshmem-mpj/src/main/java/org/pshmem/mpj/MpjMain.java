package org.pshmem.mpj;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs one of MPJ Express's own programs with its listening sockets on {@link ListenAddress} only, instead of on
 * every interface: {@code MpjMain runtime.daemon.MPJDaemon [PORT]} (the daemon, for jobs across hosts) or
 * {@code MpjMain runtime.starter.MPJRun ...} (the starter, which {@link MpjLauncher} runs for such jobs and for
 * the multicore device). It rewrites the listening calls of that program ({@link ListenPatch}), then hands over to
 * MPJ's {@code main}. The class path must hold the program's MPJ jar ({@code daemon.jar}, {@code starter.jar}) and
 * pshmem's MPJ transport.
 */
public final class MpjMain
{
    /** The daemon's port, as in MPJ's {@code conf/mpjexpress.conf}. */
    public static final int DAEMON_PORT = 40055;
    static final String DAEMON = "runtime.daemon.MPJDaemon";
    static final String STARTER = "runtime.starter.MPJRun";
    private static final Map<String, ListenPatch.Group> PROGRAMS = Map.of(
        DAEMON, ListenPatch.DAEMON,
        STARTER, ListenPatch.STARTER);

    private MpjMain()
    {
    }

    /**
     * Runs MPJ Express's daemon or starter listening on one address only.
     *
     * @param args MPJ's main class ({@value #DAEMON} or {@value #STARTER}), then its arguments; the daemon's port
     *             defaults to {@value #DAEMON_PORT}.
     */
    public static void main(final String[] args)
    {
        if (args.length < 1 || !PROGRAMS.containsKey(args[0]))
        {
            System.err.println("pshmem: usage: MpjMain " + DAEMON + " [PORT] | " + STARTER + " ARGS...");
            System.exit(2);
        }
        String[] programArgs = Arrays.copyOfRange(args, 1, args.length);
        if (args[0].equals(DAEMON) && programArgs.length == 0)
        {
            programArgs = new String[] {Integer.toString(DAEMON_PORT)};
        }
        try
        {
            ListenPatch.install(PROGRAMS.get(args[0]));
        }
        catch (final RuntimeException ex)
        {
            System.err.println("pshmem: cannot start MPJ Express's " + args[0] + ": " + ex.getMessage());
            System.exit(1);
        }
        if (args[0].equals(DAEMON))
        {
            System.err.println("pshmem: MPJ Express daemon listening on " + ListenAddress.get().getHostAddress() +
                " port " + programArgs[0] + " (and its port manager); it starts any program a connection asks for: " +
                "keep it on a private network behind a firewall (README, \"Jobs on several hosts\")");
        }
        try
        {
            Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object)programArgs);
        }
        catch (final InvocationTargetException ex)
        {
            System.err.println("pshmem: MPJ Express's " + args[0] + " failed: " + ex.getCause());
            ex.getCause().printStackTrace();
            System.exit(1);
        }
        catch (final ReflectiveOperationException ex)
        {
            System.err.println("pshmem: cannot run MPJ Express's " + args[0] + " (is its jar on the class path?): " + ex);
            System.exit(1);
        }
    }
}
