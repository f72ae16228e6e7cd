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
     * @param home    the MPJ home.
     * @param javaBin the java command ranks are to run with.
     * @param workDir where the daemon runs and logs.
     * @return the daemon, to be closed after the job (which stops it only if this call started it).
     */
    static LocalDaemon ensure(final Path home, final Path javaBin, final Path workDir) throws IOException
    {
        if (running())
        {
            return new LocalDaemon(null);
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
