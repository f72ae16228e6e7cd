package org.pshmem.mpj;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * For the ranks {@link MpjLauncher} starts itself on this host, what MPJ's starter ({@code MPJRun.collectPortInfo})
 * does for niodev: each rank, once its niodev server channels are bound, connects here and sends
 * {@code "Sending Info"}, its write port, its read port and its rank; when every rank has, each gets the table of
 * all ({@code #Peer Information;ADDRESS@READ@WRITE@RANK@0...}, in rank order) and niodev goes on to connect the
 * ranks to each other. Listens on one address (loopback for a job on one host) and a port the system picks, so a
 * job needs no fixed port; closed as soon as the table is sent. A connection that does not speak this exchange,
 * or names a rank out of range or twice, is dropped with a warning.
 */
final class PeerExchange implements AutoCloseable
{
    private static final String GREETING = "Sending Info";
    private static final int READ_TIMEOUT_MS = 5_000;

    private final ServerSocket server;
    private final String rankAddress;
    private final Socket[] connections;
    private final String[] entries;
    private final PrintStream warnings;
    private int received;
    private boolean done;

    /**
     * @param ranks    the job's size.
     * @param address  where the exchange and the ranks listen.
     * @param warnings where dropped connections are reported.
     */
    PeerExchange(final int ranks, final InetAddress address, final PrintStream warnings) throws IOException
    {
        server = new ServerSocket(0, Math.max(50, ranks), address);
        rankAddress = address.getHostAddress();
        connections = new Socket[ranks];
        entries = new String[ranks];
        this.warnings = warnings;
    }

    int port()
    {
        return server.getLocalPort();
    }

    boolean done()
    {
        return done;
    }

    /**
     * Takes one rank's ports, waiting up to {@code timeoutMillis} for it; sends the table once all are in.
     *
     * @return true once every rank has its table.
     */
    boolean step(final int timeoutMillis) throws IOException
    {
        if (done)
        {
            return true;
        }
        final Socket connection;
        try
        {
            server.setSoTimeout(timeoutMillis);
            connection = server.accept();
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final SocketException ex)
        {
            if (server.isClosed())
            {
                return false; // closed by the launcher's stop (SIGTERM): the ranks are being ended
            }
            throw ex;
        }
        receive(connection);
        if (received == connections.length)
        {
            final StringBuilder table = new StringBuilder("#Peer Information");
            for (final String entry : entries)
            {
                table.append(';').append(entry);
            }
            for (final Socket rank : connections)
            {
                try (Socket closing = rank)
                {
                    final DataOutputStream out = new DataOutputStream(closing.getOutputStream());
                    out.writeUTF(table.toString());
                    out.flush();
                }
            }
            done = true;
            server.close();
        }
        return done;
    }

    private void receive(final Socket connection)
    {
        final String from = connection.getRemoteSocketAddress().toString();
        try
        {
            connection.setSoTimeout(READ_TIMEOUT_MS);
            final DataInputStream in = new DataInputStream(connection.getInputStream());
            if (!in.readUTF().startsWith(GREETING))
            {
                drop(connection, from, "it does not speak niodev's exchange");
                return;
            }
            final int writePort = in.readInt();
            final int readPort = in.readInt();
            final int rank = in.readInt();
            if (rank < 0 || rank >= connections.length || null != connections[rank])
            {
                drop(connection, from, "it names rank " + rank + (rank < 0 || rank >= connections.length ?
                    ", out of range" : ", which already connected"));
                return;
            }
            connections[rank] = connection;
            entries[rank] = rankAddress + "@" + readPort + "@" + writePort + "@" + rank + "@0";
            received++;
        }
        catch (final IOException ex)
        {
            drop(connection, from, ex.toString());
        }
    }

    private void drop(final Socket connection, final String from, final String why)
    {
        warnings.println("pshmem mpj launcher: dropped a connection to the ranks' exchange from " + from + ": " + why);
        try
        {
            connection.close();
        }
        catch (final IOException ignored)
        {
            // Dropped either way.
        }
    }

    @Override
    public void close()
    {
        for (final Socket connection : connections)
        {
            if (null != connection)
            {
                try
                {
                    connection.close();
                }
                catch (final IOException ignored)
                {
                    // Closing.
                }
            }
        }
        try
        {
            server.close();
        }
        catch (final IOException ignored)
        {
            // Closing.
        }
    }
}
