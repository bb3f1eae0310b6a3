// C++: iostream, exceptions thrown and caught across the restart, static
// objects with constructors and destructors, STL containers.
#include <iomanip>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>
#include <time.h>

struct Registry {
	std::map<std::string, int> m;
	Registry() { m["constructed"] = 1; }
	~Registry() { std::cout << "9999 destructor ran, " << m.size() << " entries" << std::endl; }
};
static Registry reg;

static int risky(int i)
{
	if (i % 3 == 0)
		throw std::runtime_error("step " + std::to_string(i));
	return i * i;
}

int main()
{
	std::vector<std::string> log;
	for (int i = 0; i < 40; i++) {
		std::string what;
		try {
			what = std::to_string(risky(i));
		} catch (const std::exception &e) {
			what = std::string("caught ") + e.what();
		}
		log.push_back(what);
		reg.m[what] = i;
		std::cout << std::setw(4) << std::setfill('0') << i << " " << what << " log "
			  << log.size() << " map " << reg.m.size() << std::endl;
		struct timespec ts = { 0, 40000000 };
		nanosleep(&ts, 0);
	}
	return 0;
}
