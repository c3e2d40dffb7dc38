#include <fcgiapp.h>
#include <sys/socket.h>
