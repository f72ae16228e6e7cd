package org.pshmem.mpj;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The MPJ Express daemon of this host, which starts niodev ranks. If one already listens on the daemon port
 * it is used as it is; otherwise one is started for the job and stopped after it.
 */
final class LocalDaemon implements AutoCloseable
{
    static final int PORT = 40055;
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;

    private LocalDaemon(final Process process)
    {
        this.process = process;
    }

    static boolean running()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", PORT), 500);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * A daemon runs ranks with its own {@code java}, and ranks get the options of the launcher's Java version
     * (a Java 17 rank refuses Java 25's options and the job would hang): a daemon of this MPJ home running
     * another Java is stopped so that one with this Java can start; another's daemon is an error.
     *
     * @return true when a stale daemon was stopped.
     */
    private static boolean replaceStale(final Path home, final Path javaBin) throws IOException
    {
        final String daemonJar = home.resolve("lib/daemon.jar").toString();
        final Path ours = javaBin.toRealPath();
        boolean stopped = false;
        for (final ProcessHandle daemon : (Iterable<ProcessHandle>)ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(line -> line.contains("runtime.daemon.MPJDaemon")).orElse(false))::iterator)
        {
            final String command = daemon.info().command().orElse("");
            final String line = daemon.info().commandLine().orElse("");
            if (command.isEmpty() || Path.of(command).toRealPath().equals(ours))
            {
                continue;
            }
            if (!line.contains(daemonJar))
            {
                throw new IOException("an MPJ Express daemon (pid " + daemon.pid() + ") runs with " + command +
                    ", but this job's ranks run with " + javaBin + " and need its options; stop that daemon, or " +
                    "launch with the same Java");
            }
            daemon.destroy();
            try
            {
                daemon.onExit().get(5, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
            {
                daemon.destroyForcibly();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping a stale MPJ Express daemon", ex);
            }
            stopped = true;
        }
        final long deadline = System.currentTimeMillis() + 10_000;
        while (stopped && running() && System.currentTimeMillis() < deadline)
        {
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping a stale MPJ Express daemon", ex);
            }
        }
        return stopped;
    }

    /**
     * @param home    the MPJ home.
     * @param javaBin the java command ranks are to run with.
     * @param workDir where the daemon runs and logs.
     * @return the daemon, to be closed after the job (which stops it only if this call started it).
     */
    static LocalDaemon ensure(final Path home, final Path javaBin, final Path workDir) throws IOException
    {
        if (running())
        {
            if (!replaceStale(home, javaBin))
            {
                return new LocalDaemon(null);
            }
        }
        final ProcessBuilder builder = new ProcessBuilder(javaBin.toString(), "-cp",
            home.resolve("lib/daemon.jar").toString(), "runtime.daemon.MPJDaemon", Integer.toString(PORT))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("daemon.log").toFile());
        builder.environment().put("MPJ_HOME", home.toString());
        builder.environment().put("PATH", javaBin.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        final Process process = builder.start();
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!running())
        {
            if (!process.isAlive() || System.currentTimeMillis() > deadline)
            {
                process.destroyForcibly();
                throw new IOException("the MPJ Express daemon did not start listening on port " + PORT +
                    " (log: " + workDir.resolve("daemon.log") + ")");
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while starting the MPJ Express daemon", ex);
            }
        }
        return new LocalDaemon(process);
    }

    boolean startedHere()
    {
        return null != process;
    }

    @Override
    public void close()
    {
        if (null != process)
        {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try
            {
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
