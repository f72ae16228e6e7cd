package org.pshmem.mpj;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The rank JVMs of a niodev job on this host alone, started by the launcher itself: no MPJ daemon (which would
 * start any program a connection asks for) and no MPJ starter. Each rank gets what MPJ's starter and daemon would
 * have given it: MPJ's jar first on its class path, {@code MPJ_HOME}, and the arguments MPJ's {@code Wrapper}
 * passes a rank's {@code main} (its rank, the job's configuration naming this launcher's {@link PeerExchange},
 * the device), here to {@link GuardedRank}. The ranks and the exchange listen on the loopback address only
 * ({@link ListenAddress}), on ports the system or niodev picks. Owns the processes, their output and the
 * exchange.
 */
final class HostRanks implements JobProcesses
{
    static final String DEVICE = "niodev";
    /** MPJ's starter's default: messages above it go by niodev's rendezvous protocol. */
    private static final int PROTOCOL_SWITCH_LIMIT = 128 * 1024;

    private final InetAddress address = InetAddress.getLoopbackAddress();
    private final PeerExchange exchange;
    private final List<Process> ranks = new ArrayList<>();
    private final List<OutputPump> pumps = new ArrayList<>();

    /**
     * Starts the ranks.
     *
     * @param count       the number of ranks.
     * @param java        the {@code java} command and the options every rank gets.
     * @param classPath   the ranks' class path, MPJ's jar first.
     * @param program     the application's main class and arguments.
     * @param workDir     the ranks' working folder.
     * @param environment added to the launcher's environment.
     * @param out         where the ranks' output goes.
     * @param err         where the launcher's warnings go.
     */
    HostRanks(final int count, final List<String> java, final String classPath, final List<String> program,
        final Path workDir, final Map<String, String> environment, final PrintStream out, final PrintStream err)
        throws IOException
    {
        exchange = new PeerExchange(count, address, err);
        try
        {
            final String configuration = configuration(count, address, exchange.port());
            for (int rank = 0; rank < count; rank++)
            {
                final List<String> command = new ArrayList<>(java);
                command.add("-D" + ListenAddress.PROPERTY + "=" + address.getHostAddress());
                command.addAll(List.of("-cp", classPath, GuardedRank.class.getName(), Integer.toString(rank),
                    configuration, DEVICE));
                command.addAll(program);
                final ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true);
                builder.environment().putAll(environment);
                final Process process = builder.start();
                ranks.add(process);
                pumps.add(new OutputPump("rank-" + rank, process.getInputStream(), out));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * @return the configuration argument of niodev's {@code init}, as MPJ's starter writes it and its
     * {@code Wrapper} completes it with where to exchange ports.
     */
    static String configuration(final int count, final InetAddress address, final int exchangePort)
    {
        final StringBuilder conf = new StringBuilder("#temp line;#Number of Processes;").append(count)
            .append(";#Protocol Switch Limit;").append(PROTOCOL_SWITCH_LIMIT)
            .append(";#Entry, HOST_NAME/IP@READPORT@WRITEPORT@RANK@DEBUGPORT");
        for (int rank = 0; rank < count; rank++)
        {
            conf.append(';').append(address.getHostAddress()).append("@0@0@").append(rank).append("@0");
        }
        return conf.append(";#Server Name;").append(address.getHostAddress())
            .append(";#Server Port;").append(exchangePort).toString();
    }

    @Override
    public boolean awaitEnd(final long millis) throws IOException, InterruptedException
    {
        if (!exchange.done())
        {
            exchange.step((int)millis);
        }
        else
        {
            for (final Process rank : ranks)
            {
                if (rank.isAlive())
                {
                    rank.waitFor(millis, TimeUnit.MILLISECONDS);
                    break;
                }
            }
        }
        return ranks.stream().noneMatch(Process::isAlive);
    }

    @Override
    public String startFailure()
    {
        if (exchange.done())
        {
            return null;
        }
        for (int rank = 0; rank < ranks.size(); rank++)
        {
            if (!ranks.get(rank).isAlive())
            {
                // The others wait in niodev for its ports, and would wait for ever.
                return "rank " + rank + " ended (exit status " + ranks.get(rank).exitValue() + ") before MPJ " +
                    "Express connected the ranks";
            }
        }
        return null;
    }

    @Override
    public void destroy()
    {
        for (final Process rank : ranks)
        {
            rank.descendants().forEach(ProcessHandle::destroyForcibly);
            rank.destroyForcibly();
        }
        exchange.close();
    }

    @Override
    public int exitStatus()
    {
        for (final Process rank : ranks)
        {
            final int status = rank.isAlive() ? 1 : rank.exitValue();
            if (status != 0)
            {
                return status;
            }
        }
        return 0;
    }

    @Override
    public void close()
    {
        destroy();
        pumps.forEach(OutputPump::close);
    }
}
