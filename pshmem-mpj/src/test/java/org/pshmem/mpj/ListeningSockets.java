package org.pshmem.mpj;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Listening TCP sockets as the kernel lists them ({@code /proc/<pid>/net/tcp} and {@code tcp6}, the tables of
 * that process's network namespace), and which process holds each (the socket inodes among its
 * {@code /proc/<pid>/fd}).
 */
final class ListeningSockets
{
    private static final String LISTEN = "0A";

    /** One listening socket: its local address and port, and the inode that names it. */
    record Socket(InetAddress address, int port, long inode)
    {
        boolean isLoopback()
        {
            return address.isLoopbackAddress();
        }

        @Override
        public String toString()
        {
            return address.getHostAddress() + ":" + port;
        }
    }

    private ListeningSockets()
    {
    }

    /**
     * @param pid a process whose network namespace is read; {@code "self"} for this one.
     * @return every listening TCP socket of that namespace.
     */
    static List<Socket> inNamespaceOf(final String pid) throws IOException
    {
        final List<Socket> sockets = new ArrayList<>();
        for (final String table : List.of("tcp", "tcp6"))
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(Path.of("/proc", pid, "net", table));
            }
            catch (final NoSuchFileException ex)
            {
                continue; // no IPv6 in this kernel, or the process is gone
            }
            for (final String line : lines.subList(Math.min(1, lines.size()), lines.size()))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[3].equals(LISTEN))
                {
                    final String[] local = fields[1].split(":");
                    sockets.add(new Socket(address(local[0]), Integer.parseInt(local[1], 16), Long.parseLong(fields[9])));
                }
            }
        }
        return sockets;
    }

    /**
     * @return the inodes of the sockets a process has open; empty once it is gone.
     */
    static Set<Long> socketInodes(final long pid)
    {
        final Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd")))
        {
            for (final Path fd : fds)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:["))
                    {
                        inodes.add(Long.parseLong(target.substring("socket:[".length(), target.length() - 1)));
                    }
                }
                catch (final IOException ignored)
                {
                    // Closed meanwhile.
                }
            }
        }
        catch (final IOException ignored)
        {
            // The process is gone.
        }
        return inodes;
    }

    /** The kernel prints an address as 32-bit words in host (little-endian) byte order. */
    private static InetAddress address(final String hex) throws UnknownHostException
    {
        final byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++)
        {
            for (int b = 0; b < 4; b++)
            {
                final int at = word * 8 + (3 - b) * 2;
                bytes[word * 4 + b] = (byte)Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes);
    }
}
