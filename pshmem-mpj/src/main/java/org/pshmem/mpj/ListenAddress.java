package org.pshmem.mpj;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * The one address MPJ Express's listening sockets bind to in this JVM, instead of every interface: the
 * setting {@value #PROPERTY} (system property) or {@value #ENV} (environment variable, which the ranks an MPJ
 * daemon starts inherit from it), else the address this host's name resolves to, or the loopback address
 * {@code 127.0.0.1} when that name resolves to a loopback address (where the kernel's loopback connections come
 * from). A wildcard address, or one that is not this host's, is refused.
 *
 * <p>MPJ's own code calls the factories below once {@link ListenPatch} has redirected its listening calls to
 * them; they are public only for that.
 */
public final class ListenAddress
{
    /** System property naming the address to listen on. */
    public static final String PROPERTY = "pshmem.listenAddress";
    /** Environment variable naming the address to listen on, when the property is not set. */
    public static final String ENV = "PSHMEM_LISTEN_ADDRESS";
    /** Backlog of MPJ's {@code new ServerSocket(port)}, the JDK's default. */
    private static final int BACKLOG = 50;

    private static volatile InetAddress address;

    private ListenAddress()
    {
    }

    /**
     * @return the address, resolved once.
     * @throws IllegalStateException naming the setting and the problem when it cannot be listened on.
     */
    static InetAddress get()
    {
        InetAddress resolved = address;
        if (null == resolved)
        {
            synchronized (ListenAddress.class)
            {
                resolved = address;
                if (null == resolved)
                {
                    resolved = resolve(setting());
                    address = resolved;
                }
            }
        }
        return resolved;
    }

    /**
     * @return the setting: the property, else the environment variable, else null.
     */
    static String setting()
    {
        // Read here, not through Setting: MPJ's daemon and starter run this class with pshmem-mpj alone.
        final String property = System.getProperty(PROPERTY);
        if (null != property && !property.isBlank())
        {
            return property.trim();
        }
        final String env = System.getenv(ENV);
        return null == env || env.isBlank() ? null : env.trim();
    }

    /**
     * @param setting an address or host name, or null for this host's name.
     * @return the address to listen on.
     */
    static InetAddress resolve(final String setting)
    {
        final String source = PROPERTY + " or " + ENV;
        if (null == setting)
        {
            try
            {
                final InetAddress self = InetAddress.getLocalHost();
                return self.isLoopbackAddress() ? InetAddress.getLoopbackAddress() : self;
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalStateException("this host's name does not resolve (" + ex.getMessage() + "), so MPJ " +
                    "Express's sockets have no address to listen on: set " + source + " to this host's address on the " +
                    "network that reaches the other hosts", ex);
            }
        }
        final InetAddress chosen;
        try
        {
            chosen = InetAddress.getByName(setting);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(source + " is '" + setting + "', which does not resolve", ex);
        }
        if (chosen.isAnyLocalAddress())
        {
            throw new IllegalStateException(source + " is '" + setting + "', the wildcard address: MPJ Express would " +
                "listen on every interface; give this host's address on the network that reaches the other hosts");
        }
        if (!chosen.isLoopbackAddress() && !isOfThisHost(chosen))
        {
            throw new IllegalStateException(source + " is '" + setting + "' (" + chosen.getHostAddress() + "), which " +
                "is not an address of this host");
        }
        return chosen;
    }

    private static boolean isOfThisHost(final InetAddress candidate)
    {
        try
        {
            return null != NetworkInterface.getByInetAddress(candidate);
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    /**
     * In place of {@code new InetSocketAddress(port)} (every interface) in niodev's {@code NIODevice.bindPort}.
     *
     * @param port the port niodev picked.
     * @return the address to bind its server channel to.
     */
    public static InetSocketAddress socketAddress(final int port)
    {
        return new InetSocketAddress(get(), port);
    }

    /**
     * In place of {@code new ServerSocket(port)} (every interface) in MPJ's daemon, its port manager and its
     * starter.
     *
     * @param port the port MPJ listens on.
     * @return a server socket bound to the address.
     * @throws IOException when the port is taken.
     */
    public static ServerSocket serverSocket(final int port) throws IOException
    {
        return new ServerSocket(port, BACKLOG, get());
    }

    /**
     * In place of {@code InetAddress.getLocalHost()} in MPJ's starter, which tells every rank to connect back to
     * this host under that name: the address its server socket listens on, named by itself.
     *
     * @return the address, with its literal as its host name.
     * @throws UnknownHostException never for a valid address; declared as the call it replaces does.
     */
    public static InetAddress localHost() throws UnknownHostException
    {
        final InetAddress listening = get();
        return InetAddress.getByAddress(listening.getHostAddress(), listening.getAddress());
    }
}
